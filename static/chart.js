// Ask Next's live chart: one Plotly graph that stays mounted and redraws in place.
//
// Streamlit calls `render` with new `data` on every rerun of the element (same key, same node).
// The plane's messages name points by pool index; the pool's coordinates arrive once per dataset
// and live here, in `POOLS`, until the page goes. Clicks, boxes and lassos go back as a "select"
// trigger shaped like st.plotly_chart's selection; autoplay asks for the next step ("tick") only
// after the last one is drawn, so steps never pile up. Anything that fails says so in words.

const POOLS = (window.__askNextPools ||= new Map());
const STATS = (window.__askNextStats ||= { draws: 0, last: null, mounts: 0 });
let plotlyLoading = null;

function loadPlotly(url) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!plotlyLoading) {
    plotlyLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = () =>
        window.Plotly ? resolve(window.Plotly) : reject(new Error("plotly.js did not start"));
      script.onerror = () => reject(new Error(`plotly.js could not be loaded from ${url}`));
      document.head.appendChild(script);
    });
    plotlyLoading.catch(() => (plotlyLoading = null)); // a later render may try again
  }
  return plotlyLoading;
}

const TYPES = { i2: Int16Array, i4: Int32Array, f4: Float32Array, u1: Uint8Array };

function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === "object") {
    if ("__b64__" in value) {
      const raw = atob(value.__b64__);
      const bytes = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      return new TYPES[value.dtype](bytes.buffer);
    }
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = decode(v);
    return out;
  }
  return value;
}

let webgl = null;
function hasWebGL() {
  if (webgl === null) {
    try {
      const canvas = document.createElement("canvas");
      webgl = !!(canvas.getContext("webgl") || canvas.getContext("experimental-webgl"));
    } catch (e) {
      webgl = false;
    }
  }
  return webgl;
}

// Pool indices -> x, y and customdata (the pool index rides along, so a click maps back).
function expand(trace, pool) {
  const { points, ...rest } = trace;
  if (points === undefined) return rest;
  const n = points.length;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = pool.x[points[i]];
    y[i] = pool.y[points[i]];
  }
  rest.x = x;
  rest.y = y;
  rest.customdata = Array.from(points);
  if (rest.type === "scattergl" && !hasWebGL()) rest.type = "scatter";
  return rest;
}

function selection(event, kind) {
  const points = (event && event.points) || [];
  const picked = [];
  for (const p of points) {
    const c = Array.isArray(p.customdata) ? p.customdata[0] : p.customdata;
    if (c !== undefined && c !== null) picked.push({ customdata: c, curve_number: p.curveNumber });
  }
  const out = { selection: { points: picked, box: [], lasso: [] } };
  if (kind === "selected" && event) {
    if (event.range) out.selection.box = [event.range];
    if (event.lassoPoints) out.selection.lasso = [event.lassoPoints];
  }
  return out;
}

function say(box, text) {
  let note = box.querySelector(".asknext-chart-note");
  if (!text) {
    if (note) note.remove();
    return;
  }
  if (!note) {
    note = document.createElement("div");
    note.className = "asknext-chart-note";
    note.setAttribute("role", "alert");
    box.appendChild(note);
  }
  note.textContent = text; // never HTML: the message may quote data
}

async function draw(component) {
  const { data, parentElement, setTriggerValue } = component;
  let box = parentElement.querySelector(".asknext-chart");
  if (!box) {
    box = document.createElement("div");
    box.className = "asknext-chart";
    parentElement.appendChild(box);
  }
  const Plotly = await loadPlotly(data.plotly);
  const message = decode(data.message);
  let graph = box.querySelector(".asknext-graph");
  if (!graph) {
    graph = document.createElement("div");
    graph.className = "asknext-graph";
    graph.dataset.mount = String(++STATS.mounts);
    box.prepend(graph);
  }
  graph.style.height = `${message.layout.height || 400}px`;

  let traces = message.traces;
  if (message.pool_key !== undefined) {
    if (message.pool) POOLS.set(message.pool_key, message.pool);
    const pool = POOLS.get(message.pool_key);
    if (!pool) {
      setTriggerValue("need_pool", message.pool_key); // reloaded page: ask for the pool again
      return;
    }
    traces = traces.map((t) => expand(t, pool));
  }
  const started = performance.now();
  await Plotly.react(graph, traces, message.layout, data.config || {});
  STATS.draws += 1;
  STATS.last = { key: component.key, step: data.step, ms: performance.now() - started, at: Date.now() };
  graph.dataset.step = String(data.step ?? "");
  graph.dataset.drawn = String(STATS.draws);
  const slow = traces.some((t) => t.type === "scatter" && t.x && t.x.length > 3000) && !hasWebGL();
  say(box, slow ? "WebGL is off in this browser: the points are drawn without it, more slowly." : "");

  if (data.events && data.events.includes("select") && !graph.__askNextEvents) {
    graph.__askNextEvents = true;
    graph.on("plotly_click", (e) => setTriggerValue("select", selection(e, "click")));
    graph.on("plotly_selected", (e) => {
      // A click selects too (clickmode event+select): only a box or a lasso is news here.
      const gesture = e && (e.range || e.lassoPoints);
      if (gesture && e.points && e.points.length) setTriggerValue("select", selection(e, "selected"));
    });
  }
  pace(graph, data, setTriggerValue);
  if (data.refresh) {
    clearTimeout(graph.__askNextRefresh);
    graph.__askNextRefresh = setTimeout(() => {
      if (graph.isConnected) setTriggerValue("refresh", Date.now());
    }, 60);
  }
}

// Autoplay: the next step is asked for only once this one is drawn, at most once per step.
function pace(graph, data, setTriggerValue) {
  clearTimeout(graph.__askNextTimer);
  const play = data.play;
  if (!play || !play.on) return;
  if (graph.__askNextAsked === play.seq) return;
  const since = performance.now() - (graph.__askNextAskedAt || 0);
  const wait = Math.max(0, play.interval - since);
  graph.__askNextTimer = setTimeout(() => {
    if (!graph.isConnected) return;
    graph.__askNextAsked = play.seq;
    graph.__askNextAskedAt = performance.now();
    setTriggerValue("tick", play.seq);
  }, wait);
}

export function render(component) {
  const { parentElement } = component;
  const done = draw(component).catch((err) => {
    const box = parentElement.querySelector(".asknext-chart") || parentElement;
    say(box, `The chart could not be drawn (${err && err.message ? err.message : err}). ` +
      "Reload the page; if it stays blank, this browser may block scripts or graphics.");
    console.error("Ask Next chart:", err);
  });
  // Streamlit may call a superseded render's cleanup at once: purge only on a real unmount.
  return () =>
    done.then(() => {
      if (parentElement.isConnected) return;
      const graph = parentElement.querySelector(".asknext-graph");
      if (graph && window.Plotly) window.Plotly.purge(graph);
    });
}
