"""What the page runs in the browser itself: one fix for plotly.js.

Plotly's Play button starts ``Plotly.animate``, whose promise is rejected when a later
animation interrupts it: Pause (an empty animation in "immediate" mode discards the queued
frames and calls the last one's ``onInterrupt``, which is that promise's ``reject``), a step
of the slider, or Play again. plotly.js runs its buttons and sliders through
``Plots.executeAPICommand``, which logs "API call to Plotly.animate rejected" and rejects
again, and the click handler drops that promise: every Pause left a warning and an uncaught
rejection in the console. (The Plotly that Streamlit bundles does not expose
``executeAPICommand``, so the command itself cannot be wrapped.)

An interruption is an animation's normal end, not an error. So just before a press, click
or drag on a chart's buttons or slider (capturing, so before plotly.js handles it), the
frames that press will discard are disarmed: their ``onInterrupt`` is dropped, the
interrupted promise is never rejected, and nothing is logged. Nothing else changes: the
queue, the frames, the events (``plotly_animationinterrupted`` still fires). It reads
plotly.js's ``gd._transitionData._frameQueue``; the browser test that checks the console
across Play / Pause / the slider fails if a Plotly upgrade moves it.
"""

from __future__ import annotations

import streamlit as st

QUIET_INTERRUPTS_JS = """
<script>
(function () {
  if (window.labQuietInterrupts) return;
  window.labQuietInterrupts = true;
  function disarm(event) {
    if (event.type.endsWith("move") && !event.buttons && !event.touches) return;
    var el = event.target;
    if (!el || !el.closest || !el.closest(".updatemenu-container, .slider-container")) return;
    var gd = el.closest(".js-plotly-plot");
    var queue = gd && gd._transitionData && gd._transitionData._frameQueue;
    for (var i = 0; queue && i < queue.length; i++) queue[i].onInterrupt = null;
  }
  ["mousedown", "mousemove", "mouseup", "click", "touchstart", "touchmove", "touchend"]
    .forEach(function (type) { document.addEventListener(type, disarm, true); });
})();
</script>
"""


def quiet_animation_interrupts() -> None:
    """Put the fix into the page (its script runs once per page; drawing it again is a no-op)."""
    st.html(QUIET_INTERRUPTS_JS, unsafe_allow_javascript=True)
