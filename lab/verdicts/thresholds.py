"""Every constant of the verdict rules, with the mathematics each one approximates.

No constant is an absolute number in the units of the loss or of the plane: each one is a ratio
to a scale of the surface (``lab.verdicts.scales``) or of the run (its extent, its length, its
start), so a verdict does not change when the loss is multiplied by a constant (with the
learning rate divided by it), shifted by a constant, or the plane is translated or rotated.
The README's "Verdicts" section is the long form of these comments.
"""

from __future__ import annotations

from lab.scenario import MAX_STEPS

# --- the last stretch -------------------------------------------------------------------------
# The rules look at the last WINDOW_FRAC of the steps, at least WINDOW_MIN: long against a
# bounce (a cycle of period <= CYCLE_MAX steps shows at least twice) and short against the run,
# so it describes where the run is now, not where it has been.
WINDOW_FRAC = 0.1
WINDOW_MIN = 20

# --- time: crawling, growing, dying out -----------------------------------------------------
# A direction crawls when its time constant (the e-folding time of the distance still to go)
# is longer than CRAWL_FACTOR runs: at that pace even ten times the steps would leave most of
# the way (e^-0.1 = 90 %) still to go.
CRAWL_FACTOR = 10.0
# An amplitude "grows" or "dies out within the run" when it would change by at least this factor
# over as many steps as the run has had; in between, the bounce is steady.
GROWTH = 2.0
# The loss has stopped falling when, over the last stretch, it fell by at most this fraction of
# what is left to gain: at that pace, gaining the rest would take 1 / STALL_TOL stretches, that
# is CRAWL_FACTOR runs -- the same horizon as crawling, derived, not tuned.
STALL_TOL = WINDOW_FRAC / CRAWL_FACTOR

# --- arrived ---------------------------------------------------------------------------------
# Arrived along a direction when the distance still to go along it is at most ARRIVE_TOL of the
# run's extent (the farthest it has been from its start): the rest is invisible at the scale of
# its own path and, along a quadratic direction, worth at most ARRIVE_TOL^2 of the loss it has
# gained there. RESOLUTION of the plot's diagonal is the floor of that length (a run that hardly
# moves is still allowed to be at its critical point), and the smallest radius the loss around
# a point is probed at.
ARRIVE_TOL = 1e-2
RESOLUTION = 1e-3

# --- the local quadratic model ----------------------------------------------------------------
# The model is trusted along a direction when the Newton step removes at least 1 - RESID_TOL of
# the gradient along it. For a loss growing like |z|^p the step leaves ((p-2)/(p-1))^(p-1) of it:
# 0 for a quadratic, 0.12 for p = 2.2, 0.30 for a quartic. Beyond RESID_TOL the direction is
# degenerate (its curvature vanishes at the point faster than the distance): there the loss, not
# the distance, decides.
RESID_TOL = 0.1
# Along a degenerate direction the slope counts as zero below GRAD_TOL of the surface's typical
# gradient: across the whole plot it would change the loss by about GRAD_TOL of the loss range,
# invisible on the loss trace.
GRAD_TOL = 1e-3
# A curvature counts as zero below FLAT_TOL of the surface's typical curvature K: an optimizer
# stable on the surface has eta <~ 2 / K, so its time constant 1 / (eta * lambda) along such a
# direction exceeds 1 / (2 FLAT_TOL) = MAX_STEPS steps, longer than any run the lab allows. Every
# curvature a run can feel is therefore counted, however ill-conditioned the surface.
FLAT_TOL = 0.5 / MAX_STEPS

# --- bounces and cycles ----------------------------------------------------------------------
# A direction bounces when at least REVERSAL_FRAC of its consecutive steps reverse: gradient
# descent overshoots along an eigendirection exactly when eta * lambda > 1, and then every step
# reverses; an oscillation of period <= 4 steps reverses at least every other step.
REVERSAL_FRAC = 0.5
# A cycle of period k <= CYCLE_MAX: the last point and the one before it come back to within
# CYCLE_TOL of the cycle's step length after k steps. The verdict then looks at all k points
# (the distance still to go is the largest over the last CYCLE_MAX points), so it is the same
# at every step count.
CYCLE_MAX = 8
CYCLE_TOL = 1e-2

# --- noise -----------------------------------------------------------------------------------
# Within the noise along a direction when the exact gradient there (its mean over the last
# stretch and its spread) stays within NOISE_K standard deviations of the gradient noise: the
# optimizer cannot tell such a gradient from its noise (a Gaussian exceeds 3 sigma with
# probability 0.3 %). In distance, that is NOISE_K * sigma / |lambda|, the spread of the point
# where the noisy gradient vanishes -- the noise floor of that point.
NOISE_K = 3.0

# --- events ----------------------------------------------------------------------------------
# A burst: the loss rises above its running minimum by more than BURST_FRAC of what the run has
# descended so far (1 % of the loss trace's range: a visible jump), after it had settled: for
# the last max(WINDOW_MIN, WINDOW_FRAC * t) steps it stayed within that band and its minimum
# did not fall by more than the band -- flat by the verdict's own window rule.
BURST_FRAC = 1e-2
BURSTS_KEPT = 8
# A run hovering at a minimum within its gradient noise (mini-batches) wanders by itself: a
# rise there is a burst only when the loss grows by more than NOISE_RISE times the settled
# loss it rose from (preset 21's batches of 4 rose from 0.128 to 0.155 at step 86, the
# noise's wander that no panel shows; a real burst multiplies the loss).
NOISE_RISE = 1.0
# Saddles left behind: the path is cut into PATH_BINS stretches, and at the point of smallest
# gradient norm of each the local model is built. The run passed a saddle (or a maximum) when
# that model has a real stationary point (the gradient there at most RESID_TOL of the point's)
# with a negative curvature, within NEAR_FRAC of the run's extent, and the run ended farther
# than that from it: close at the scale of its own path (ten times the arrival tolerance).
PATH_BINS = 64
NEAR_FRAC = 10 * ARRIVE_TOL
# The first step: its length against the median length of the next FIRST_STEPS steps. A stable
# plain gradient step shrinks the distance along every direction by |1 - eta lambda| < 1 per
# step, so its steps never grow near a minimum and its first step never raises the loss on a
# convex surface. A first step at least FIRST_STEP_RATIO times smaller than the next ones
# (the steps grew: momentum building up, bias correction, a warm-up) is an event, and so is one
# at least FIRST_STEP_RATIO times larger on which the loss rose (the first step overshot).
FIRST_STEP_RATIO = GROWTH
FIRST_STEPS = 10

# --- surface scales --------------------------------------------------------------------------
# The surface is sampled on SCALE_GRID x SCALE_GRID points of its plot range.
SCALE_GRID = 33

THRESHOLDS: dict[str, float] = {
    name: float(value)
    for name, value in (
        ("WINDOW_FRAC", WINDOW_FRAC),
        ("WINDOW_MIN", WINDOW_MIN),
        ("CRAWL_FACTOR", CRAWL_FACTOR),
        ("GROWTH", GROWTH),
        ("STALL_TOL", STALL_TOL),
        ("ARRIVE_TOL", ARRIVE_TOL),
        ("RESOLUTION", RESOLUTION),
        ("RESID_TOL", RESID_TOL),
        ("GRAD_TOL", GRAD_TOL),
        ("FLAT_TOL", FLAT_TOL),
        ("REVERSAL_FRAC", REVERSAL_FRAC),
        ("CYCLE_MAX", CYCLE_MAX),
        ("CYCLE_TOL", CYCLE_TOL),
        ("NOISE_K", NOISE_K),
        ("BURST_FRAC", BURST_FRAC),
        ("NOISE_RISE", NOISE_RISE),
        ("PATH_BINS", PATH_BINS),
        ("NEAR_FRAC", NEAR_FRAC),
        ("FIRST_STEP_RATIO", FIRST_STEP_RATIO),
        ("FIRST_STEPS", FIRST_STEPS),
        ("SCALE_GRID", SCALE_GRID),
    )
}


def window(steps: int) -> int:
    """Length (in steps) of the last stretch of a run of ``steps`` steps."""
    return min(steps, max(WINDOW_MIN, round(WINDOW_FRAC * steps)))


def settle_steps(t: int) -> int:
    """How long the loss must have been flat before step ``t`` for a rise to be a burst."""
    return max(WINDOW_MIN, round(WINDOW_FRAC * t))
