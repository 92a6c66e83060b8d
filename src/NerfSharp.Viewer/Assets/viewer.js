// NerfSharp web viewer: orbit / pan / zoom camera, frames rendered by the server over a WebSocket,
// training cameras, render mode, live training state, camera-path export (nerfstudio camera_path.json).
// Cameras are OpenGL camera-to-world matrices (the camera looks down -z, +y is up), sent row-major.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const fixedWidth = parseInt(params.get('w') || '0', 10);
  const fixedHeight = parseInt(params.get('h') || '0', 10);
  const maxSide = parseInt(params.get('max') || '640', 10);

  // ---- small vector helpers ----
  const add = (a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
  const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
  const mul = (a, s) => [a[0] * s, a[1] * s, a[2] * s];
  const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const len = (a) => Math.sqrt(dot(a, a));
  const norm = (a) => { const l = len(a); return l > 1e-12 ? mul(a, 1 / l) : [0, 0, 0]; };
  const column = (m, c) => [m[c], m[4 + c], m[8 + c]];

  // ---- state ----
  const view = {
    up: [0, 1, 0], e1: [1, 0, 0], e2: [0, 0, -1],
    target: [0, 0, 0], radius: 4, azimuth: 0, elevation: 0, fov: 50,
    exactPose: null, // a training camera's own pose until the user moves
  };
  let scene = null;
  let mode = 'rgb';
  let socket = null;
  let seq = 0;
  let lastSent = null;
  let lastFrame = null;
  let pendingHeader = null;
  let drawnSeq = -1;
  let framesDrawn = 0;
  let dirty = false;
  let moving = false;
  let lastChange = 0;
  let lastSendTime = 0;
  let frameSize = { width: 400, height: 300 };
  const keyframes = [];
  const frameTimes = [];

  function lookAt(position, target, up) {
    const z = norm(sub(position, target));
    let x = norm(cross(up, z));
    if (len(x) < 1e-6) { x = norm(cross([up[1], up[2], up[0]], z)); }
    const y = cross(z, x);
    return [x[0], y[0], z[0], position[0], x[1], y[1], z[1], position[1], x[2], y[2], z[2], position[2], 0, 0, 0, 1];
  }

  function position() {
    const ce = Math.cos(view.elevation), se = Math.sin(view.elevation);
    const dir = add(add(mul(view.e1, ce * Math.cos(view.azimuth)), mul(view.e2, ce * Math.sin(view.azimuth))), mul(view.up, se));
    return add(view.target, mul(dir, view.radius));
  }

  function pose() { return view.exactPose || lookAt(position(), view.target, view.up); }

  // Sets the orbit from a camera-to-world pose: the target lies on its viewing axis, nearest the origin.
  function setFromPose(m, fov, exact) {
    const pos = column(m, 3);
    const forward = mul(column(m, 2), -1);
    let along = dot(mul(pos, -1), forward);
    if (!(along > 1e-3)) { along = Math.max(1, len(pos)); }
    view.target = add(pos, mul(forward, along));
    const offset = sub(pos, view.target);
    view.radius = len(offset);
    const o = mul(offset, 1 / view.radius);
    view.elevation = Math.asin(Math.max(-1, Math.min(1, dot(o, view.up))));
    view.azimuth = Math.atan2(dot(o, view.e2), dot(o, view.e1));
    view.fov = fov;
    view.exactPose = exact ? m.slice() : null;
  }

  // ---- sizing ----
  function resize() {
    const stage = $('stage');
    let w, h;
    if (fixedWidth > 0 && fixedHeight > 0) {
      w = fixedWidth; h = fixedHeight;
    } else {
      const sw = Math.max(1, stage.clientWidth), sh = Math.max(1, stage.clientHeight);
      const s = Math.min(1, maxSide / Math.max(sw, sh));
      w = Math.max(1, Math.round(sw * s)); h = Math.max(1, Math.round(sh * s));
    }
    frameSize = { width: w, height: h };
    const cssW = fixedWidth > 0 ? w : stage.clientWidth, cssH = fixedWidth > 0 ? h : stage.clientHeight;
    for (const c of [$('frame'), $('overlay')]) { c.style.width = cssW + 'px'; c.style.height = cssH + 'px'; }
    $('frame').width = w; $('frame').height = h;
    $('overlay').width = cssW; $('overlay').height = cssH;
    changed(false);
  }

  // ---- messages ----
  function changed(isMoving) {
    dirty = true;
    moving = isMoving;
    lastChange = performance.now();
    drawOverlay();
  }

  function cameraMessage(isMoving) {
    return { type: 'camera', seq: ++seq, pose: pose(), fov: view.fov, width: frameSize.width, height: frameSize.height, mode: mode, format: 'jpeg', moving: isMoving };
  }

  function send(isMoving) {
    if (!socket || socket.readyState !== WebSocket.OPEN) { return; }
    lastSent = cameraMessage(isMoving);
    socket.send(JSON.stringify(lastSent));
    lastSendTime = performance.now();
  }

  function tick() {
    const now = performance.now();
    if (dirty && (!moving || now - lastSendTime > 40)) {
      send(moving);
      dirty = false;
    }
    // The camera stopped: ask for the full-resolution frame once.
    if (moving && !dirty && now - lastChange > 150) {
      moving = false;
      send(false);
    }
    requestAnimationFrame(tick);
  }

  function connect() {
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
    socket = new WebSocket(url);
    socket.binaryType = 'blob';
    socket.onopen = () => { $('status').textContent = 'connected'; changed(false); };
    socket.onclose = () => { $('status').textContent = 'disconnected, retrying...'; setTimeout(connect, 1000); };
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') { onText(JSON.parse(event.data)); return; }
      const header = pendingHeader;
      pendingHeader = null;
      if (header) { drawFrame(header, event.data); }
    };
  }

  function onText(msg) {
    if (msg.type === 'frame') { pendingHeader = msg; }
    else if (msg.type === 'training') {
      $('trainingBox').hidden = false;
      $('step').textContent = msg.step + (msg.total > 0 && msg.total < 1e9 ? ' / ' + msg.total : '') + (msg.running ? '' : ' (stopped)');
      $('loss').textContent = msg.loss === null ? '-' : msg.loss.toFixed(5);
      $('psnr').textContent = msg.psnr === null ? '-' : msg.psnr.toFixed(2);
    } else if (msg.type === 'error') { $('error').textContent = msg.message; }
  }

  async function drawFrame(header, blob) {
    const bitmap = await createImageBitmap(blob);
    if (header.seq < drawnSeq) { bitmap.close(); return; }
    drawnSeq = header.seq;
    const canvas = $('frame');
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    lastFrame = header;
    framesDrawn++;
    const now = performance.now();
    frameTimes.push(now);
    while (frameTimes.length > 0 && now - frameTimes[0] > 1000) { frameTimes.shift(); }
    $('fps').textContent = String(frameTimes.length);
    $('frameInfo').textContent = header.width + 'x' + header.height + ' ' + header.mode + ' ' + header.ms + ' ms';
  }

  // ---- training cameras ----
  function drawOverlay() {
    const canvas = $('overlay');
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!scene || !$('showFrustums').checked) { return; }
    const m = pose();
    const pos = column(m, 3), x = column(m, 0), y = column(m, 1), z = column(m, 2);
    const f = 0.5 * canvas.height / Math.tan(0.5 * view.fov * Math.PI / 180);
    const project = (p) => {
      const d = sub(p, pos);
      const cz = -dot(d, z);
      if (cz < 1e-3) { return null; }
      return [canvas.width / 2 + f * dot(d, x) / cz, canvas.height / 2 - f * dot(d, y) / cz];
    };
    const size = 0.08 * scene.scale;
    ctx.strokeStyle = 'rgba(255, 170, 60, 0.8)';
    ctx.lineWidth = 1;
    for (const cam of scene.cameras) {
      const c = cam.pose, o = column(c, 3), cx = column(c, 0), cy = column(c, 1), cz = column(c, 2);
      const ty = Math.tan(0.5 * cam.fov * Math.PI / 180), tx = ty * cam.aspect;
      const corners = [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([a, b]) =>
        add(o, add(add(mul(cx, a * tx * size), mul(cy, b * ty * size)), mul(cz, -size))));
      const po = project(o), pc = corners.map(project);
      if (!po || pc.some((p) => !p)) { continue; }
      ctx.beginPath();
      for (let i = 0; i < 4; i++) {
        ctx.moveTo(po[0], po[1]); ctx.lineTo(pc[i][0], pc[i][1]);
        ctx.lineTo(pc[(i + 1) % 4][0], pc[(i + 1) % 4][1]);
      }
      ctx.stroke();
    }
  }

  function loadScene(s) {
    scene = s;
    $('title').textContent = s.title;
    view.up = norm(s.up);
    let seed = [1, 0, 0];
    if (Math.abs(dot(seed, view.up)) > 0.9) { seed = [0, 1, 0]; }
    if (s.cameras.length > 0) {
      const p = column(s.cameras[0].pose, 3);
      if (len(sub(p, mul(view.up, dot(p, view.up)))) > 1e-6) { seed = p; }
    }
    view.e1 = norm(sub(seed, mul(view.up, dot(seed, view.up))));
    view.e2 = cross(view.up, view.e1);
    let scale = 0;
    for (const c of s.cameras) { scale += len(column(c.pose, 3)); }
    s.scale = s.cameras.length > 0 ? scale / s.cameras.length : 4;
    const list = $('cameras');
    s.cameras.forEach((c, i) => {
      const b = document.createElement('button');
      b.textContent = c.name;
      b.onclick = () => { setFromPose(c.pose, c.fov, true); changed(false); };
      list.appendChild(b);
    });
    if (s.cameras.length > 0) { setFromPose(s.cameras[0].pose, s.cameras[0].fov, false); }
    else { view.radius = 4; }
    $('trainingBox').hidden = !s.training;
  }

  // ---- mouse and touch (pointer events cover both) ----
  const pointers = new Map();
  let pinch = null;
  function orbit(dx, dy) {
    view.exactPose = null;
    view.azimuth -= dx * 0.01;
    view.elevation = Math.max(-1.55, Math.min(1.55, view.elevation + dy * 0.01));
  }
  function pan(dx, dy) {
    const m = pose();
    view.exactPose = null;
    const k = view.radius * 0.0025;
    view.target = add(view.target, add(mul(column(m, 0), -dx * k), mul(column(m, 1), dy * k)));
  }
  function zoom(factor) {
    view.exactPose = null;
    view.radius = Math.max(1e-3, view.radius * factor);
  }
  function setupInput() {
    const stage = $('stage');
    stage.addEventListener('contextmenu', (e) => e.preventDefault());
    stage.addEventListener('pointerdown', (e) => {
      stage.setPointerCapture(e.pointerId);
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, pan: e.button === 2 || e.shiftKey });
      pinch = null;
    });
    stage.addEventListener('pointermove', (e) => {
      const p = pointers.get(e.pointerId);
      if (!p) { return; }
      const dx = e.clientX - p.x, dy = e.clientY - p.y;
      if (pointers.size === 1) {
        if (p.pan) { pan(dx, dy); } else { orbit(dx, dy); }
      } else if (pointers.size === 2) {
        p.x = e.clientX; p.y = e.clientY;
        const [a, b] = [...pointers.values()];
        const d = Math.hypot(a.x - b.x, a.y - b.y), mid = [(a.x + b.x) / 2, (a.y + b.y) / 2];
        if (pinch && d > 0) {
          zoom(pinch.d / d);
          pan(mid[0] - pinch.mid[0], mid[1] - pinch.mid[1]);
        }
        pinch = { d: d, mid: mid };
      }
      p.x = e.clientX; p.y = e.clientY;
      changed(true);
    });
    const end = (e) => { pointers.delete(e.pointerId); pinch = null; };
    stage.addEventListener('pointerup', end);
    stage.addEventListener('pointercancel', end);
    stage.addEventListener('wheel', (e) => { e.preventDefault(); zoom(Math.exp(e.deltaY * 0.001)); changed(true); }, { passive: false });
    window.addEventListener('resize', resize);
    $('mode').onchange = () => { mode = $('mode').value; changed(false); };
    $('showFrustums').onchange = drawOverlay;
    $('addKeyframe').onclick = () => {
      keyframes.push({ pose: pose(), fov: view.fov, aspect: frameSize.width / frameSize.height });
      $('keyframeCount').textContent = String(keyframes.length);
    };
    $('clearPath').onclick = () => { keyframes.length = 0; $('keyframeCount').textContent = '0'; };
    $('downloadPath').onclick = downloadPath;
  }

  // ---- camera path (nerfstudio camera_path.json) ----
  function toQuaternion(m) {
    const r00 = m[0], r01 = m[1], r02 = m[2], r10 = m[4], r11 = m[5], r12 = m[6], r20 = m[8], r21 = m[9], r22 = m[10];
    const t = r00 + r11 + r22;
    let q;
    if (t > 0) { const s = Math.sqrt(t + 1) * 2; q = [0.25 * s, (r21 - r12) / s, (r02 - r20) / s, (r10 - r01) / s]; }
    else if (r00 > r11 && r00 > r22) { const s = Math.sqrt(1 + r00 - r11 - r22) * 2; q = [(r21 - r12) / s, 0.25 * s, (r01 + r10) / s, (r02 + r20) / s]; }
    else if (r11 > r22) { const s = Math.sqrt(1 + r11 - r00 - r22) * 2; q = [(r02 - r20) / s, (r01 + r10) / s, 0.25 * s, (r12 + r21) / s]; }
    else { const s = Math.sqrt(1 + r22 - r00 - r11) * 2; q = [(r10 - r01) / s, (r02 + r20) / s, (r12 + r21) / s, 0.25 * s]; }
    const l = Math.hypot(q[0], q[1], q[2], q[3]);
    return q.map((v) => v / l);
  }
  function fromQuaternion(q, p) {
    const [w, x, y, z] = q;
    return [
      1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y), p[0],
      2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x), p[1],
      2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y), p[2],
      0, 0, 0, 1];
  }
  function slerp(a, b, u) {
    let d = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
    if (d < 0) { b = b.map((v) => -v); d = -d; }
    if (d > 0.9995) { const q = a.map((v, i) => v + u * (b[i] - v)); const l = Math.hypot(...q); return q.map((v) => v / l); }
    const th = Math.acos(d), s = Math.sin(th), wa = Math.sin((1 - u) * th) / s, wb = Math.sin(u * th) / s;
    return a.map((v, i) => wa * v + wb * b[i]);
  }
  function catmullRom(p0, p1, p2, p3, u) {
    const u2 = u * u, u3 = u2 * u;
    return [0, 1, 2].map((i) => 0.5 * (2 * p1[i] + (p2[i] - p0[i]) * u + (2 * p0[i] - 5 * p1[i] + 4 * p2[i] - p3[i]) * u2 + (3 * p1[i] - p0[i] - 3 * p2[i] + p3[i]) * u3));
  }
  function cameraPath(fps, seconds) {
    const count = Math.max(1, Math.round(fps * seconds));
    const k = keyframes.length;
    const frames = [];
    for (let i = 0; i < count; i++) {
      if (k === 1) { frames.push({ camera_to_world: keyframes[0].pose.slice(), fov: keyframes[0].fov, aspect: keyframes[0].aspect }); continue; }
      const t = count === 1 ? 0 : (i / (count - 1)) * (k - 1);
      const s = Math.min(Math.floor(t), k - 2), u = t - s;
      const at = (j) => column(keyframes[Math.max(0, Math.min(k - 1, j))].pose, 3);
      const p = catmullRom(at(s - 1), at(s), at(s + 1), at(s + 2), u);
      const q = slerp(toQuaternion(keyframes[s].pose), toQuaternion(keyframes[s + 1].pose), u);
      const fov = keyframes[s].fov + u * (keyframes[s + 1].fov - keyframes[s].fov);
      const aspect = keyframes[s].aspect + u * (keyframes[s + 1].aspect - keyframes[s].aspect);
      frames.push({ camera_to_world: fromQuaternion(q, p), fov: fov, aspect: aspect });
    }
    return frames;
  }
  function cameraPathJson() {
    const fps = Math.max(1, parseFloat($('pathFps').value) || 30);
    const seconds = Math.max(0.01, parseFloat($('pathSeconds').value) || 4);
    const columnMajor = (m) => [0, 1, 2, 3].flatMap((c) => [m[c], m[4 + c], m[8 + c], m[12 + c]]);
    return {
      camera_type: 'perspective',
      render_width: frameSize.width,
      render_height: frameSize.height,
      fps: fps,
      seconds: seconds,
      smoothness_value: 0.5,
      is_cycle: false,
      crop: null,
      keyframes: keyframes.map((kf) => ({ matrix: columnMajor(kf.pose), fov: kf.fov, aspect: kf.aspect, override_transition_enabled: false, override_transition_sec: null })),
      camera_path: keyframes.length > 0 ? cameraPath(fps, seconds) : [],
    };
  }
  function downloadPath() {
    if (keyframes.length === 0) { $('error').textContent = 'add a camera to the path first'; return; }
    const blob = new Blob([JSON.stringify(cameraPathJson(), null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'camera_path.json';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  // For tests and scripts: what was sent and what is shown.
  window.nerfViewer = {
    get lastSent() { return lastSent; },
    get lastFrame() { return lastFrame; },
    get framesDrawn() { return framesDrawn; },
    get keyframes() { return keyframes.length; },
    settled() { return lastSent !== null && lastFrame !== null && !lastFrame.moving && lastFrame.seq === lastSent.seq && !dirty && !moving; },
    cameraPathJson: cameraPathJson,
  };

  fetch('/api/scene').then((r) => r.json()).then((s) => {
    loadScene(s);
    setupInput();
    resize();
    connect();
    requestAnimationFrame(tick);
  }).catch((e) => { $('error').textContent = 'cannot load the scene: ' + e; });
})();
