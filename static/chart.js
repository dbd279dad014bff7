// Ask Next's live chart: Plotly graphs that stay mounted and redraw in place.
//
// Streamlit calls `render` with new `data` on every rerun of the element (same key, same node).
// One element holds one or more panels side by side (Explore: the plane and its learning curve),
// so they update in the same frame. A plane's messages name points by pool index; the pool's
// coordinates and the layout arrive once and live here, in `HELD`, until the page goes. Clicks,
// boxes and lassos go back as a "select" trigger shaped like st.plotly_chart's selection;
// autoplay asks for the next step ("tick") only after the last one is drawn, so steps never pile
// up. Anything that fails says so in words.

const HELD = (window.__askNextHeld ||= new Map()); // pools and layouts, by the key they came under
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

function bytesOf(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

function decode(value) {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === "object") {
    if ("__b64__" in value) return new TYPES[value.dtype](bytesOf(value.__b64__).buffer);
    if ("__bits__" in value) { // a bitmask over the pool: the indices whose bit is set
      const bits = bytesOf(value.__bits__);
      const out = [];
      for (let i = 0; i < value.n; i++) if (bits[i >> 3] & (1 << (i & 7))) out.push(i);
      return Int32Array.from(out);
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
  if (!points.length) return { ...rest, x: [null], y: [null] }; // an empty key stays in the legend
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
  let note = box.querySelector(":scope > .asknext-chart-note");
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

// The screen's height below the chart's top (so a projector shows all of it), within bounds.
function fitHeight(graph, wanted) {
  const scroller = graph.closest("[data-testid='stMain']") || document.scrollingElement;
  const top = graph.getBoundingClientRect().top + (scroller ? scroller.scrollTop : 0);
  const room = window.innerHeight - Math.max(top, 0) - 12;
  return Math.round(Math.max(340, Math.min(wanted || 580, room)));
}

function panelBox(row, i, width) {
  let graph = row.querySelector(`:scope > .asknext-graph[data-panel="${i}"]`);
  if (!graph) {
    graph = document.createElement("div");
    graph.className = "asknext-graph";
    graph.dataset.panel = String(i);
    graph.dataset.mount = String(++STATS.mounts);
    row.appendChild(graph);
  }
  graph.style.flex = `${width} 1 0`;
  return graph;
}

// One panel's figure: the held parts filled in, or null when the browser lost them.
function figure(panel) {
  const message = decode(panel.message);
  if (message.pool_key === undefined) return message;
  if (message.pool) HELD.set("pool:" + message.pool_key, message.pool);
  if (message.layout) HELD.set("layout:" + message.layout_key, message.layout);
  const pool = HELD.get("pool:" + message.pool_key);
  const layout = HELD.get("layout:" + message.layout_key);
  if (!pool || !layout) return null;
  return {
    pool,
    traces: message.traces.map((t) => expand(t, pool)),
    layout: { ...layout, images: message.images },
  };
}

// A window resize, or the sidebar opening (the row changes width, the window does not).
function watchResize(row, Plotly) {
  if (row.__askNextResize) return;
  row.__askNextResize = true;
  let pending = null;
  let lastWidth = row.clientWidth;
  const refit = () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      for (const graph of row.querySelectorAll(":scope > .asknext-graph")) {
        if (!graph.isConnected || !graph._fullLayout) continue;
        const update = { width: (graph.__askNextWidth = graph.clientWidth) };
        if (graph.__askNextWanted !== undefined) {
          update.height = graph.__askNextFit = fitHeight(graph, graph.__askNextWanted);
          graph.style.height = `${update.height}px`;
        }
        Plotly.relayout(graph, update);
      }
    }, 120);
  };
  window.addEventListener("resize", refit);
  new ResizeObserver(() => {
    if (Math.abs(row.clientWidth - lastWidth) < 2) return; // our own redraws change no width
    lastWidth = row.clientWidth;
    refit();
  }).observe(row);
}

// The legend sits at the figure's foot; lift the plot until its axis title clears the legend.
// Measured only when what decides it changes (the keys, the size), so a Step costs nothing.
async function clearLegend(Plotly, graph, traces, layout, base) {
  if (layout.legend && layout.legend.orientation === "v") return; // beside the plot: nothing to clear
  const names = traces.filter((t) => t.showlegend !== false).map((t) => t.name).join("|");
  const shape = `${names}/${layout.width}x${layout.height}`;
  if (graph.__askNextLegendShape === shape) return;
  for (let round = 0; round < 3; round++) {
    const legend = graph.querySelector(".legend");
    if (!legend) break;
    let axis = -Infinity;
    for (const el of graph.querySelectorAll(".g-xtitle, .xaxislayer-above")) {
      const r = el.getBoundingClientRect();
      if (r.height) axis = Math.max(axis, r.bottom);
    }
    const gap = legend.getBoundingClientRect().top - axis;
    const lift = Math.max(0, (graph.__askNextLift || 0) + 8 - gap);
    if (!Number.isFinite(gap) || Math.abs(lift - (graph.__askNextLift || 0)) < 2) break;
    graph.__askNextLift = lift;
    await Plotly.relayout(graph, { "margin.b": base + lift });
  }
  graph.__askNextLegendShape = shape;
}

// A thumbnail of the hovered point's image (digits), drawn from the grey levels the pool
// brought along: nearest-neighbour pixels, no request to the server.
const THUMB_PX = 96;
function thumbBox() {
  let canvas = document.querySelector("canvas.asknext-thumb");
  if (!canvas) {
    canvas = document.createElement("canvas");
    canvas.className = "asknext-thumb";
    canvas.width = canvas.height = THUMB_PX;
    canvas.style.display = "none";
    document.body.appendChild(canvas);
  }
  return canvas;
}

function showThumb(graph, event) {
  const thumbs = graph.__askNextPool && graph.__askNextPool.thumbs;
  const p = event && event.points && event.points[0];
  const c = p && (Array.isArray(p.customdata) ? p.customdata[0] : p.customdata);
  if (!thumbs || c === undefined || c === null) return;
  const { rows, cols, pixels } = thumbs;
  const canvas = thumbBox();
  const ctx = canvas.getContext("2d");
  const cw = THUMB_PX / cols, ch = THUMB_PX / rows;
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const v = 255 - Math.round((pixels[c * rows * cols + r * cols + q] * 255) / 16);
      ctx.fillStyle = `rgb(${v},${v},${v})`;
      ctx.fillRect(q * cw, r * ch, Math.ceil(cw), Math.ceil(ch));
    }
  }
  const e = event.event || {};
  canvas.style.left = `${(e.clientX || 0) + 18}px`;
  canvas.style.top = `${Math.max(4, (e.clientY || 0) - THUMB_PX - 18)}px`;
  canvas.dataset.point = String(c);
  canvas.style.display = "block";
}

function hideThumb() {
  const canvas = document.querySelector("canvas.asknext-thumb");
  if (canvas) canvas.style.display = "none";
}

async function drawPanel(Plotly, graph, panel, fig, setTriggerValue) {
  graph.__askNextPool = fig.pool;
  let layout = fig.layout;
  if (panel.fit) {
    // Measured once (and again on a resize), not per Step: scrolling must not resize it.
    if (graph.__askNextFit === undefined || graph.__askNextWanted !== layout.height) {
      graph.__askNextWanted = layout.height;
      graph.__askNextFit = fitHeight(graph, layout.height);
    }
    layout = { ...layout, height: graph.__askNextFit };
  }
  graph.style.height = `${layout.height || 400}px`;
  // A known width spares Plotly a forced layout of the whole page on every redraw.
  if (!graph.__askNextWidth) graph.__askNextWidth = graph.clientWidth;
  // A wide, short panel (a projector) keeps the plot's shape better with the legend beside it.
  if (panel.fit && graph.__askNextWidth > 1.45 * layout.height) {
    layout = {
      ...layout,
      legend: { ...layout.legend, orientation: "v", yref: "paper", y: 1, yanchor: "top",
                x: 1.02, xanchor: "left" },
      margin: { ...(layout.margin || {}), b: 10, r: 10 },
    };
  }
  const base = (layout.margin && layout.margin.b) || 0;
  const margin = { ...(layout.margin || {}), b: base + (graph.__askNextLift || 0) };
  layout = { ...layout, width: graph.__askNextWidth, autosize: false, margin };
  await Plotly.react(graph, fig.traces, layout, panel.config || {});
  await clearLegend(Plotly, graph, fig.traces, layout, base);
  if (fig.pool && fig.pool.thumbs && !graph.__askNextHover) {
    graph.__askNextHover = true;
    graph.on("plotly_hover", (e) => showThumb(graph, e));
    graph.on("plotly_unhover", hideThumb);
  }
  if (panel.select && !graph.__askNextEvents) {
    graph.__askNextEvents = true;
    graph.on("plotly_click", (e) => setTriggerValue("select", selection(e, "click")));
    graph.on("plotly_selected", (e) => {
      // A click selects too (clickmode event+select): only a box or a lasso is news here.
      const gesture = e && (e.range || e.lassoPoints);
      if (gesture && e.points && e.points.length) setTriggerValue("select", selection(e, "selected"));
    });
  }
  return fig.traces.some((t) => t.type === "scatter" && t.x && t.x.length > 3000);
}

async function draw(component) {
  const entered = performance.now();
  const { data, parentElement, setTriggerValue } = component;
  let box = parentElement.querySelector(".asknext-chart");
  if (!box) {
    box = document.createElement("div");
    box.className = "asknext-chart";
    parentElement.appendChild(box);
  }
  let row = box.querySelector(":scope > .asknext-row");
  if (!row) {
    row = document.createElement("div");
    row.className = "asknext-row";
    box.prepend(row);
  }
  const Plotly = await loadPlotly(data.plotly);
  const figures = data.panels.map(figure);
  if (figures.some((f) => f === null)) {
    setTriggerValue("need", Date.now()); // a reloaded page: ask for what it no longer holds
    return;
  }
  const graphs = data.panels.map((p, i) => panelBox(row, i, p.width || 1));
  watchResize(row, Plotly);
  const started = performance.now();
  const slow = await Promise.all(
    data.panels.map((p, i) => drawPanel(Plotly, graphs[i], p, figures[i], setTriggerValue)),
  );
  STATS.draws += 1;
  const now = performance.now();
  STATS.last = { key: component.key, step: data.step, ms: now - started, entered, started, done: now };
  for (const graph of graphs) {
    graph.dataset.step = String(data.step ?? "");
    graph.dataset.drawn = String(STATS.draws);
  }
  const noWebGL = slow.some(Boolean) && !hasWebGL();
  say(box, noWebGL ? "WebGL is off in this browser: the points are drawn without it, more slowly." : "");
  pace(row, data, setTriggerValue);
  if (data.refresh) {
    clearTimeout(row.__askNextRefresh);
    row.__askNextRefresh = setTimeout(() => {
      if (row.isConnected) setTriggerValue("refresh", Date.now());
    }, 60);
  }
}

// Autoplay: the next step is asked for only once this one is drawn, at most once per step.
function pace(row, data, setTriggerValue) {
  clearTimeout(row.__askNextTimer);
  const play = data.play;
  if (!play || !play.on) return;
  if (row.__askNextAsked === play.seq) return;
  const since = performance.now() - (row.__askNextAskedAt || 0);
  const wait = Math.max(0, play.interval - since);
  row.__askNextTimer = setTimeout(() => {
    if (!row.isConnected) return;
    row.__askNextAsked = play.seq;
    row.__askNextAskedAt = performance.now();
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
      if (parentElement.isConnected || !window.Plotly) return;
      for (const graph of parentElement.querySelectorAll(".asknext-graph")) window.Plotly.purge(graph);
    });
}
