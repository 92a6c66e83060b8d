"""One training iteration of vanilla NeRF in PyTorch (CPU), for a side-by-side timing with `nerf bench`.

A from-scratch PyTorch implementation of the same computation as nerf-pytorch's lego config: 1024 rays,
64 stratified + 128 PDF samples, coarse and fine 8x256 MLPs with a skip at layer 4 and a view-direction
branch, positional encoding (10 / 4 frequencies), volume rendering, MSE(fine) + MSE(coarse), Adam.
Timing does not depend on the pixel values, so rays and targets are random (rays aimed at the scene box).

Run with Debian's PyTorch:  apt-get install python3-torch libopenblas0-pthread && /usr/bin/python3 bench/pytorch/nerf_step.py
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def encode(x, frequencies):
    parts = [x]
    for k in range(frequencies):
        parts += [torch.sin(x * 2.0 ** k), torch.cos(x * 2.0 ** k)]
    return torch.cat(parts, -1)


class Mlp(nn.Module):
    def __init__(self, depth=8, width=256, point_ch=63, view_ch=27, skip=4):
        super().__init__()
        self.skip = skip
        layers = [nn.Linear(point_ch, width)]
        for i in range(1, depth):
            layers.append(nn.Linear(width + (point_ch if i == skip + 1 else 0), width))
        self.trunk = nn.ModuleList(layers)
        self.sigma = nn.Linear(width, 1)
        self.feature = nn.Linear(width, width)
        self.view = nn.Linear(width + view_ch, width // 2)
        self.rgb = nn.Linear(width // 2, 3)

    def forward(self, pts, views):
        h = pts
        for i, layer in enumerate(self.trunk):
            h = F.relu(layer(h))
            if i == self.skip:
                h = torch.cat([pts, h], -1)
        sigma = self.sigma(h)
        h = F.relu(self.view(torch.cat([self.feature(h), views], -1)))
        return torch.cat([self.rgb(h), sigma], -1)


def composite(raw, z, rays_d):
    dists = torch.cat([z[..., 1:] - z[..., :-1], torch.full_like(z[..., :1], 1e10)], -1)
    dists = dists * torch.norm(rays_d[..., None, :], dim=-1)
    rgb = torch.sigmoid(raw[..., :3])
    alpha = 1.0 - torch.exp(-F.relu(raw[..., 3]) * dists)
    trans = torch.cumprod(torch.cat([torch.ones_like(alpha[..., :1]), 1.0 - alpha + 1e-10], -1), -1)[..., :-1]
    weights = alpha * trans
    color = (weights[..., None] * rgb).sum(-2)
    return color + (1.0 - weights.sum(-1, keepdim=True)), weights


def sample_pdf(bins, weights, n):
    weights = weights + 1e-5
    pdf = weights / weights.sum(-1, keepdim=True)
    cdf = torch.cat([torch.zeros_like(pdf[..., :1]), torch.cumsum(pdf, -1)], -1)
    u = torch.rand(list(cdf.shape[:-1]) + [n]).contiguous()
    idx = torch.searchsorted(cdf, u, right=True)
    below = torch.clamp(idx - 1, min=0)
    above = torch.clamp(idx, max=cdf.shape[-1] - 1)
    cdf_b, cdf_a = torch.gather(cdf, -1, below), torch.gather(cdf, -1, above)
    bin_b, bin_a = torch.gather(bins, -1, below), torch.gather(bins, -1, above)
    denom = torch.where(cdf_a - cdf_b < 1e-5, torch.ones_like(cdf_a), cdf_a - cdf_b)
    return bin_b + (u - cdf_b) / denom * (bin_a - bin_b)


def render(net, rays_o, rays_d, z):
    pts = rays_o[:, None, :] + rays_d[:, None, :] * z[..., None]
    views = F.normalize(rays_d, dim=-1)[:, None, :].expand(pts.shape)
    raw = net(encode(pts, 10), encode(views, 4))
    return composite(raw, z, rays_d)


def step(coarse, fine, optimizer, rays_o, rays_d, target, n_samples=64, n_importance=128):
    t = torch.linspace(0.0, 1.0, n_samples)
    z = 2.0 * (1.0 - t) + 6.0 * t
    mids = 0.5 * (z[1:] + z[:-1])
    upper, lower = torch.cat([mids, z[-1:]]), torch.cat([z[:1], mids])
    z = lower + (upper - lower) * torch.rand(rays_o.shape[0], n_samples)
    rgb0, weights = render(coarse, rays_o, rays_d, z)
    z_mid = 0.5 * (z[:, 1:] + z[:, :-1])
    z_fine = sample_pdf(z_mid, weights[:, 1:-1].detach(), n_importance).detach()
    z_all, _ = torch.sort(torch.cat([z, z_fine], -1), -1)
    rgb, _ = render(fine, rays_o, rays_d, z_all)
    loss = F.mse_loss(rgb, target) + F.mse_loss(rgb0, target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    torch.set_num_threads(2)
    torch.manual_seed(0)
    coarse, fine = Mlp(), Mlp()
    optimizer = torch.optim.Adam(list(coarse.parameters()) + list(fine.parameters()), lr=5e-4, betas=(0.9, 0.999))
    rays = 1024
    rays_o = F.normalize(torch.randn(rays, 3), dim=-1) * 4.0
    rays_d = F.normalize(torch.randn(rays, 3) * 0.3 - rays_o, dim=-1)
    target = torch.rand(rays, 3)
    step(coarse, fine, optimizer, rays_o, rays_d, target)  # warm-up
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        step(coarse, fine, optimizer, rays_o, rays_d, target)
        times.append(time.perf_counter() - start)
    print(f"pytorch {torch.__version__} CPU, {torch.get_num_threads()} threads: seconds per iteration: "
          f"mean {sum(times) / len(times):.3f}, best {min(times):.3f} over {len(times)} iterations (1 warm-up)")


if __name__ == "__main__":
    main()
