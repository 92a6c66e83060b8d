using NerfSharp.Numerics;

namespace NerfSharp.Cameras;

/// <summary>
/// A keyframe of a camera path (nerfstudio's <c>keyframes</c> entry): the pose, vertical field of view (degrees) and aspect
/// it passes through, and the length in seconds of the transition to the next keyframe when it overrides the path's
/// default (<c>override_transition_sec</c>).
/// </summary>
public sealed record CameraPathKeyframe(Pose CameraToWorld, double VerticalFovDegrees, double Aspect, double? TransitionSeconds = null)
{
    public CameraPathPose AsPose => new(CameraToWorld, VerticalFovDegrees, Aspect);
}
