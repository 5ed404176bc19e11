// The classroom stage: the one figure and its clock, in the page's own DOM (a Streamlit
// custom component v2, not an iframe).
//
// * The figure is drawn with Plotly.react on a div that persists across reruns: a new
//   figure (another eta, another language) is one react, not a remount and two renders as
//   st.plotly_chart does; an unchanged figure (a rerun caused by a step report) is not
//   redrawn at all.
// * The toolbar drives the figure's own slider with Plotly.animate: Play / Pause, single
//   steps back and forward, Play at 1/4x .. 4x. Everything that moves lives in the figure's
//   frames, so the map, the panels' markers and read-outs and the step move together in the
//   browser.
// * When the clock stops (Pause, the end, a single step, a slider drag) the step is
//   reported to Python (debounced; never per frame while playing), so the update-rule panel
//   and the cards follow it. A click on the map is reported as a trigger (the new start).
// * The page's size is reported once and on resize, so the figure fits the screen.
//
// plotly.js is Streamlit's own (window.Plotly, defined once Streamlit has loaded its chart
// module; the page mounts a tiny hidden chart for that).

const SPEEDS = [0.25, 0.5, 1, 2, 4];

function waitForPlotly(then) {
  if (window.Plotly && window.Plotly.react) { then(window.Plotly); return; }
  setTimeout(() => waitForPlotly(then), 40);
}

function button(label, act, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "stage-btn";
  b.dataset.act = act;
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

function build(root, data) {
  const bar = document.createElement("div");
  bar.className = "stage-bar";
  const plot = document.createElement("div");
  plot.className = "stage-plot";
  root.appendChild(bar);
  root.appendChild(plot);
  const st = { bar, plot, version: null, playing: false, speed: 1, timer: null, reported: null };
  st.back = button("◀", "back", () => stepBy(st, -1));
  st.play = button("▶", "play", () => (st.playing ? pause(st) : play(st)));
  st.play.classList.add("stage-play");
  st.fwd = button("▶|", "forward", () => stepBy(st, 1));
  st.first = button("|◀", "first", () => jump(st, 0));
  st.speedBox = document.createElement("select");
  st.speedBox.className = "stage-speed";
  for (const s of SPEEDS) {
    const o = document.createElement("option");
    o.value = String(s);
    o.textContent = (s === 0.25 ? "¼" : s === 0.5 ? "½" : String(s)) + "×";
    if (s === 1) o.selected = true;
    st.speedBox.appendChild(o);
  }
  st.speedBox.addEventListener("change", () => {
    st.speed = Number(st.speedBox.value);
    if (st.playing) { pause(st, false); play(st); }
  });
  for (const el of [st.first, st.back, st.play, st.fwd, st.speedBox]) bar.appendChild(el);
  plot.addEventListener("click", (e) => mapClick(st, e));
  document.addEventListener("keydown", (e) => keys(st, e));
  return st;
}

function labels(st, data) {
  const l = data.labels || {};
  st.first.title = l.first || ""; st.back.title = l.back || ""; st.fwd.title = l.forward || "";
  st.speedBox.title = l.speed || "";
  for (const b of [st.first, st.back, st.fwd]) b.setAttribute("aria-label", b.title);
  st.speedBox.setAttribute("aria-label", st.speedBox.title);
  st.labels = l;
  setPlaying(st, st.playing);
  st.bar.style.display = data.animated ? "" : "none";
}

function setPlaying(st, on) {
  st.playing = on;
  const l = st.labels || {};
  st.play.textContent = on ? "❚❚ " + (l.pause || "") : "▶ " + (l.play || "");
  st.play.title = on ? (l.pause || "") : (l.play || "");
  st.play.setAttribute("aria-pressed", on ? "true" : "false");
}

function frameNames(st) {
  const sl = st.plot._fullLayout && st.plot._fullLayout.sliders && st.plot._fullLayout.sliders[0];
  return sl ? sl.steps.map((s) => s.args[0][0]) : [];
}

function activeIndex(st) {
  const sl = st.plot._fullLayout.sliders[0];
  return sl ? sl.active : 0;
}

function animate(st, names, ms) {
  const opts = { frame: { duration: ms, redraw: false }, transition: { duration: 0 }, mode: "immediate" };
  return window.Plotly.animate(st.plot, names, opts).catch(() => {});
}

function play(st) {
  // Slower than 1x: each frame shown longer. Faster: every k-th frame at the 1x pace, since
  // the browser needs about as long as a 1x frame to draw one (a shorter duration would not
  // play any faster); the last frame is always shown.
  const names = frameNames(st);
  if (!names.length) return;
  let i = activeIndex(st);
  if (i >= names.length - 1) i = -1; // at the end: from the start
  setPlaying(st, true);
  const stride = st.speed > 1 ? Math.round(st.speed) : 1;
  const ms = Math.round((st.ms || 60) / Math.min(1, st.speed));
  const todo = names.slice(i + 1).filter((_, k, all) => (k + 1) % stride === 0 || k === all.length - 1);
  animate(st, todo, ms).then(() => { if (st.playing) { setPlaying(st, false); report(st, 0); } });
}

function pause(st, send = true) {
  setPlaying(st, false);
  window.Plotly.animate(st.plot, [null], { mode: "immediate", frame: { duration: 0, redraw: false } }).catch(() => {});
  if (send) report(st, 0);
}

function jump(st, i) {
  const names = frameNames(st);
  if (!names.length) return;
  if (st.playing) pause(st, false);
  const k = Math.max(0, Math.min(names.length - 1, i));
  animate(st, [names[k]], 0).then(() => report(st, 150));
}

function stepBy(st, d) { if (st.plot._fullLayout) jump(st, activeIndex(st) + d); }

function currentStep(st) {
  const names = frameNames(st);
  return names.length ? Number(names[activeIndex(st)]) : 0;
}

function report(st, delay) {
  clearTimeout(st.timer);
  st.timer = setTimeout(() => {
    if (st.playing) return;
    const k = currentStep(st);
    if (k !== st.reported) { st.reported = k; st.setState("step", k); }
  }, delay);
}

function keys(st, e) {
  const tag = (e.target && e.target.tagName) || "";
  if (["INPUT", "TEXTAREA", "SELECT"].includes(tag) || e.target.isContentEditable) return;
  if (!st.plot._fullLayout || !frameNames(st).length) return;
  if (e.key === " " && !e.repeat) { e.preventDefault(); st.playing ? pause(st) : play(st); }
  else if (e.key === "ArrowRight" && tag !== "BUTTON") { e.preventDefault(); stepBy(st, 1); }
  else if (e.key === "ArrowLeft" && tag !== "BUTTON") { e.preventDefault(); stepBy(st, -1); }
}

function mapClick(st, e) {
  const fl = st.plot._fullLayout;
  if (!fl || !fl.xaxis || st.playing || !st.clickable) return;
  const box = st.plot.getBoundingClientRect();
  const xa = fl.xaxis, ya = fl.yaxis;
  const px = e.clientX - box.left - xa._offset, py = e.clientY - box.top - ya._offset;
  if (px < 0 || py < 0 || px > xa._length || py > ya._length) return;
  st.trigger("click", { x: xa.p2d(px), y: ya.p2d(py) });
}

function viewport(st) {
  // [width, window height, top of the plot in the page]: the figure's height is what is left
  // under everything above it (the header, a banner, the toolbar), whatever those measure.
  const box = st.plot.getBoundingClientRect();
  const w = Math.round(box.width || st.bar.getBoundingClientRect().width);
  const h = Math.round(window.innerHeight);
  const top = Math.round(box.top + window.scrollY);
  const last = st.viewport || [0, 0, 0];
  const moved = (a, b) => Math.abs(a - b) > 4;
  if (w > 0 && (moved(w, last[0]) || moved(h, last[1]) || moved(top, last[2]))) {
    st.viewport = [w, h, top];
    st.setState("viewport", [w, h, top]);
  }
}

function draw(st, data, Plotly) {
  if (st.version === data.version) return;
  st.version = data.version;
  const fig = JSON.parse(data.figure);
  st.ms = data.frame_ms || 60;
  st.clickable = !!data.clickable;
  if (st.playing) pause(st, false);
  const config = { displayModeBar: false, responsive: true, scrollZoom: false, doubleClick: false };
  Plotly.react(st.plot, { data: fig.data, layout: fig.layout, frames: fig.frames || [], config }).then(() => {
    st.reported = currentStep(st);
    st.plot.dataset.version = data.version;
    if (!st.hooked && st.plot.on) {
      st.hooked = true;
      st.plot.on("plotly_sliderchange", () => { if (!st.playing) report(st, 250); });
    }
  });
}

export default function (component) {
  const { parentElement, data, setStateValue, setTriggerValue } = component;
  let st = parentElement.__stage;
  if (!st) {
    st = build(parentElement, data);
    parentElement.__stage = st;
    window.addEventListener("resize", () => { clearTimeout(st.resize); st.resize = setTimeout(() => viewport(st), 250); });
  }
  st.setState = setStateValue;
  st.trigger = setTriggerValue;
  labels(st, data);
  waitForPlotly((Plotly) => { draw(st, data, Plotly); viewport(st); });
}
