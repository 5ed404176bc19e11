// The classroom stage: the one figure and its clock, in the page's own DOM (a Streamlit
// custom component v2, not an iframe).
//
// * The figure is drawn with Plotly.react on a div that persists across reruns: a new
//   figure (another eta, another language) is one react, not a remount and two renders as
//   st.plotly_chart does; an unchanged figure (a rerun caused by a step report) is not
//   redrawn at all.
// * The toolbar is the one step control: Play / Pause, single steps back and forward, Play at
//   1/4x .. 4x, and a step slider with its read-out ("step 120 / 300"). It plays the figure's
//   frames with Plotly.animate; everything that moves lives in the frames, so the map, the
//   panels' markers and read-outs and the step move together in the browser. The figure has
//   no plotly.js slider: one of 300 steps doubles the time of every redraw.
// * A new figure opens at the frame of the step Python sends with it (the step where this
//   session's clock stood); the figure itself is the same for every session.
// * When the clock stops (Pause, the end, a single step, a slider drag) the step is
//   reported to Python (debounced; never per frame while playing), so the update-rule panel
//   and the cards follow it. A click on the map is reported as a trigger (the new start).
// * The page's size is reported once and on resize, so the figure fits the screen.
// * The plot's div carries ``stageClock`` ({active, steps}): the frame shown and the step of
//   every frame (for tests and benchmarks).
//
// plotly.js is Streamlit's own (window.Plotly, defined once Streamlit has loaded its chart
// module; the page mounts a tiny hidden chart for that).

const SPEEDS = [0.25, 0.5, 1, 2, 4];

function waitForPlotly(then) {
  if (window.Plotly && window.Plotly.react) { memoArrayAttributes(window.Plotly); then(window.Plotly); return; }
  setTimeout(() => waitForPlotly(then), 40);
}

// plotly.js finds each trace's array attributes by crawling the whole attribute schema of its
// type, for every trace at every redraw and every animation frame (doCalcdata): on this
// figure (38 traces) that is about 40 ms of a frame's 60 and a third of a redraw. The answer
// depends only on the trace's type (and whether it has its module: a full trace) and on which
// of its own attributes hold arrays, so it is kept per (type, module, array paths): a walk of
// the trace's own keys instead of the schema. Same
// results, same order (tests/test_browser.py compares it with the original on every trace).
function arrayPaths(o, prefix, out, depth) {
  if (depth > 6) return;
  for (const k of Object.keys(o)) {
    if (k.charAt(0) === "_") continue;
    const v = o[k];
    if (Array.isArray(v)) {
      out.push(prefix + k);
      if (v.length && v[0] && typeof v[0] === "object" && !Array.isArray(v[0])) {
        v.forEach((item, j) => { if (item && typeof item === "object") arrayPaths(item, prefix + k + "[" + j + "].", out, depth + 1); });
      }
    } else if (ArrayBuffer.isView(v)) {
      out.push(prefix + k);
    } else if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      arrayPaths(v, prefix + k + ".", out, depth + 1);
    }
  }
  return out;
}

function memoArrayAttributes(Plotly) {
  const schema = Plotly.PlotSchema;
  if (!schema || typeof schema.findArrayAttributes !== "function" || schema.findArrayAttributes.labMemo) return;
  const original = schema.findArrayAttributes;
  const memo = new Map();
  const fast = function (trace) {
    if (!trace || typeof trace !== "object") return original.apply(this, arguments);
    // plotly.js crawls the trace module's attributes only when the trace has its module
    // (a full trace), the base attributes always.
    const module = trace._module && trace._module.attributes ? "m" : "-";
    const key = String(trace.type) + module + "|" + arrayPaths(trace, "", [], 0).join(",");
    let found = memo.get(key);
    if (!found) {
      found = original.apply(this, arguments);
      if (memo.size > 2000) memo.clear();
      memo.set(key, found.slice());
    }
    return found.slice();
  };
  fast.labMemo = true;
  fast.original = original;
  schema.findArrayAttributes = fast;
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
  st.range = document.createElement("input");
  st.range.type = "range";
  st.range.className = "stage-range";
  st.range.min = "0"; st.range.max = "0"; st.range.step = "1"; st.range.value = "0";
  st.range.addEventListener("input", () => jump(st, Number(st.range.value), 250));
  st.readout = document.createElement("span");
  st.readout.className = "stage-readout";
  for (const el of [st.first, st.back, st.play, st.fwd, st.speedBox, st.range, st.readout]) bar.appendChild(el);
  st.names = []; st.steps = []; st.active = 0; st.index = new Map();
  plot.stageClock = { active: 0, steps: [] };
  plot.addEventListener("click", (e) => mapClick(st, e));
  document.addEventListener("keydown", (e) => keys(st, e));
  return st;
}

function labels(st, data) {
  const l = data.labels || {};
  st.first.title = l.first || ""; st.back.title = l.back || ""; st.fwd.title = l.forward || "";
  st.speedBox.title = l.speed || "";
  st.range.title = l.step || "";
  st.range.setAttribute("aria-label", l.step || "step");
  for (const b of [st.first, st.back, st.fwd]) b.setAttribute("aria-label", b.title);
  st.speedBox.setAttribute("aria-label", st.speedBox.title);
  st.labels = l;
  setPlaying(st, st.playing);
  showStep(st);
  st.bar.style.display = data.animated ? "" : "none";
}

function setPlaying(st, on) {
  st.playing = on;
  const l = st.labels || {};
  st.play.textContent = on ? "❚❚ " + (l.pause || "") : "▶ " + (l.play || "");
  st.play.title = on ? (l.pause || "") : (l.play || "");
  st.play.setAttribute("aria-pressed", on ? "true" : "false");
}

function setActive(st, i) {
  st.active = i;
  st.plot.stageClock = { active: i, steps: st.steps };
  if (Number(st.range.value) !== i) st.range.value = String(i);
  showStep(st);
}

function showStep(st) {
  const l = st.labels || {};
  const k = st.steps.length ? st.steps[st.active] : 0;
  st.readout.textContent = (l.prefix || "") + k.toLocaleString("en-US") + (l.suffix || "");
}

function animate(st, names, ms) {
  const opts = { frame: { duration: ms, redraw: false }, transition: { duration: 0 }, mode: "immediate" };
  return window.Plotly.animate(st.plot, names, opts).catch(() => {});
}

function play(st) {
  // Slower than 1x: each frame shown longer. Faster: every k-th frame at the 1x pace, since
  // the browser needs about as long as a 1x frame to draw one (a shorter duration would not
  // play any faster); the last frame is always shown.
  const names = st.names;
  if (!names.length) return;
  let i = st.active;
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

function jump(st, i, delay = 150) {
  // One frame; while one is being drawn, only the latest request waits (a slider drag
  // asks for many frames faster than they are drawn).
  const names = st.names;
  if (!names.length) return;
  if (st.playing) pause(st, false);
  const k = Math.max(0, Math.min(names.length - 1, i));
  setActive(st, k); // the slider and read-out at once; the figure follows
  if (st.busy) { st.pending = k; return; }
  const mine = (st.busy = {});
  const done = () => {
    if (st.busy !== mine) return; // superseded (a new figure, or the watchdog)
    st.busy = null;
    if (st.pending !== undefined) { const p = st.pending; st.pending = undefined; jump(st, p, delay); }
    else report(st, delay);
  };
  // plotly.js may never settle an animation that a redraw interrupts: a watchdog frees the clock.
  setTimeout(done, 1000);
  animate(st, [names[k]], 0).then(done);
}

function stepBy(st, d) { jump(st, st.active + d); }

function currentStep(st) {
  return st.steps.length ? st.steps[st.active] : 0;
}

function report(st, delay) {
  clearTimeout(st.timer);
  st.timer = setTimeout(() => {
    if (st.playing || st.busy) return;
    const k = currentStep(st);
    if (k !== st.reported) { st.reported = k; st.setState("step", k); }
  }, delay);
}

function keys(st, e) {
  const tag = (e.target && e.target.tagName) || "";
  if (["INPUT", "TEXTAREA", "SELECT"].includes(tag) || e.target.isContentEditable) return;
  if (!st.plot._fullLayout || !st.names.length) return;
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

function nearestFrame(steps, step) {
  // The last frame at or before ``step`` (a long run has a frame every few steps).
  let i = 0;
  while (i + 1 < steps.length && steps[i + 1] <= step) i++;
  return i;
}

function draw(st, data, Plotly) {
  if (st.version === data.version) return;
  st.version = data.version;
  const times = { arrived: performance.now() }; // for benchmarks: where a redraw's time goes
  const fig = JSON.parse(data.figure);
  times.parsed = performance.now();
  st.ms = data.frame_ms || 60;
  st.clickable = !!data.clickable;
  if (st.playing) pause(st, false);
  st.busy = null; st.pending = undefined; // a new figure supersedes a frame being drawn
  st.names = (fig.frames || []).map((f) => f.name);
  st.steps = st.names.map(Number);
  st.index = new Map(st.names.map((n, i) => [n, i]));
  st.range.max = String(Math.max(0, st.names.length - 1));
  // The read-out as wide as its longest text, so the slider does not change length as it counts.
  const last = st.steps.length ? st.steps[st.steps.length - 1] : 0;
  const l = st.labels || {};
  st.readout.style.minWidth = ((l.prefix || "") + last.toLocaleString("en-US") + (l.suffix || "")).length + 1 + "ch";
  st.range.disabled = st.names.length < 2;
  const open = nearestFrame(st.steps, Number(data.step) || 0);
  setActive(st, 0);
  const config = { displayModeBar: false, responsive: true, scrollZoom: false, doubleClick: false };
  Plotly.react(st.plot, { data: fig.data, layout: fig.layout, frames: fig.frames || [], config }).then(() => {
    times.drawn = performance.now();
    st.plot.stageTimes = times;
    st.plot.dataset.version = data.version;
    if (!st.hooked && st.plot.on) {
      st.hooked = true;
      // Play moves the clock frame by frame: the toolbar's slider and read-out follow.
      st.plot.on("plotly_animatingframe", (e) => {
        if (!st.playing) return; // a single jump has set the clock itself
        const i = e && e.name !== undefined ? st.index.get(String(e.name)) : undefined;
        if (i !== undefined && i !== st.active) setActive(st, i);
      });
    }
    st.reported = Number(data.step) || 0;
    if (open > 0) jump(st, open, 0); // opened where the clock stood (reported if it moved)
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
