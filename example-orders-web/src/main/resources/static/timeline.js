// The timeline page: the events on a time axis, a slider for the instant, and the chosen projection's
// state at that instant. Plain JavaScript over the app's JSON API, no build step.
//
// Every value that comes from the store (payloads, metadata, stream ids, projection state) is user data:
// it is written with textContent or setAttribute, never parsed as HTML (no innerHTML anywhere), so a user
// id such as <img src=x onerror=alert(1)> shows as that text. The server's Content-Security-Policy is a
// second line of defence, not the first.
'use strict';

(function () {
  const MAX_EVENTS = 10000;      // the most events the page reads (the API pages by 'next')
  const STEPS = 150;             // about this many slider steps across the axis
  const NICE_STEPS = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400, 604800];
  const LANE_ROW_PX = 26;        // height of one row of markers in a lane

  const $ = (id) => document.getElementById(id);
  const ui = {
    projection: $('projection'), instant: $('instant'), reload: $('reload'), message: $('message'),
    lanes: $('lanes'), slider: $('slider'), ticks: $('ticks'),
    stateName: $('state-name'), stateAsOf: $('state-as-of'), state: $('state'), statePanel: $('state-panel'),
    details: $('details'), events: document.querySelector('#events tbody'), eventCount: $('event-count'),
  };

  let events = [];               // as the API returns them, in global order
  let range = null;              // {min, max, step} in epoch seconds
  let selected = null;           // the event shown in the details panel
  let stateRequest = 0;          // only the latest state request may render
  let debounce = null;

  // ------------------------------------------------------------------ small DOM helpers

  /** An element with text content (never HTML) and optional attributes. */
  function el(tag, text, attrs) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) {
      e.textContent = String(text);
    }
    for (const [k, v] of Object.entries(attrs || {})) {
      e.setAttribute(k, String(v));
    }
    return e;
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  function say(text, isError) {
    ui.message.textContent = text || '';
    ui.message.classList.toggle('error', !!isError);
  }

  /** A value as text: objects and arrays as compact JSON, everything else as itself. */
  function asText(v) {
    if (v === null || v === undefined) {
      return '—';
    }
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }

  // ------------------------------------------------------------------ time

  const seconds = (iso) => Date.parse(iso) / 1000;
  const iso = (s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

  function clock(s, withDate) {
    const t = iso(s);
    return withDate ? t.slice(0, 10) + ' ' + t.slice(11, 19) : t.slice(11, 19);
  }

  /** The slider's domain: the events' times with a margin, in steps of a round size. */
  function domain(list) {
    const first = seconds(list[0].recordedAt);
    const last = seconds(list[list.length - 1].recordedAt);
    const span = Math.max(last - first, 60);
    const step = NICE_STEPS.find((s) => s >= span / STEPS) || NICE_STEPS[NICE_STEPS.length - 1];
    const pad = Math.max(step, span * 0.05);
    return {
      min: Math.floor((first - pad) / step) * step,
      max: Math.ceil((last + pad) / step) * step,
      step,
    };
  }

  const percent = (s) => ((s - range.min) / (range.max - range.min)) * 100;

  // ------------------------------------------------------------------ API

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      throw new Error((body && body.detail) || response.status + ' ' + response.statusText);
    }
    return body;
  }

  async function loadEvents() {
    const all = [];
    let from = 0;
    while (from !== null && all.length < MAX_EVENTS) {
      const page = await getJson('/api/events?from=' + from + '&limit=' + Math.min(1000, MAX_EVENTS - all.length));
      all.push(...page.events);
      from = page.next;
    }
    return all;
  }

  async function loadProjections() {
    const list = await getJson('/api/projections');
    const current = ui.projection.value;
    clear(ui.projection);
    for (const p of list) {
      ui.projection.appendChild(el('option', p.name, { value: p.name }));
    }
    if (list.some((p) => p.name === current)) {
      ui.projection.value = current;
    }
  }

  // ------------------------------------------------------------------ the axis

  function renderAxis() {
    clear(ui.lanes);
    clear(ui.ticks);
    if (events.length === 0) {
      ui.lanes.appendChild(el('p', 'No events yet. Start the app with --orders.demo=true for the demo story, '
          + 'or send commands to /api/orders.', { class: 'empty' }));
      ui.slider.disabled = true;
      return;
    }
    const streams = [...new Set(events.map((e) => e.streamId))];
    for (const stream of streams) {
      const lane = el('div', null, { class: 'axis-row lane' });
      lane.appendChild(el('span', stream, { class: 'lane-label', title: stream }));
      const track = el('div', null, { class: 'track' });
      track.appendChild(el('div', null, { class: 'cursor' }));
      for (const e of events.filter((x) => x.streamId === stream)) {
        const marker = el('button', e.type, {
          type: 'button', class: 'marker', 'data-position': e.globalPosition, 'data-type': e.type,
          'data-time': seconds(e.recordedAt),
          title: e.type + ' · ' + e.streamId + ' · ' + clock(seconds(e.recordedAt), true) + ' UTC',
        });
        marker.style.left = percent(seconds(e.recordedAt)) + '%';
        marker.addEventListener('click', () => select(e));
        track.appendChild(marker);
      }
      lane.appendChild(track);
      ui.lanes.appendChild(lane);
    }
    stackMarkers();

    const withDate = range.max - range.min > 86400;
    const tickStep = NICE_STEPS.find((s) => s >= (range.max - range.min) / 6) || range.step;
    for (let t = Math.ceil(range.min / tickStep) * tickStep; t <= range.max; t += tickStep) {
      const tick = el('span', clock(t, withDate).replace(/:00$/, ''), { class: 'tick' });
      tick.style.left = percent(t) + '%';
      ui.ticks.appendChild(tick);
    }
  }

  /** Markers close in time would overlap: each goes to the first row of its lane where it fits. */
  function stackMarkers() {
    for (const track of ui.lanes.querySelectorAll('.track')) {
      const rowEnds = [];
      for (const m of track.querySelectorAll('.marker')) {
        m.style.top = '0px';
        const left = m.offsetLeft;
        let row = rowEnds.findIndex((end) => left > end + 4);
        if (row < 0) {
          row = rowEnds.length;
          rowEnds.push(0);
        }
        rowEnds[row] = left + m.offsetWidth;
        m.style.top = (row * LANE_ROW_PX) + 'px';
      }
      track.style.height = (Math.max(1, rowEnds.length) * LANE_ROW_PX + 4) + 'px';
    }
  }

  /** Dims what had not happened yet at the instant, and moves the cursor there. */
  function markInstant(s) {
    const left = Math.min(100, Math.max(0, percent(s))) + '%';
    for (const c of ui.lanes.querySelectorAll('.cursor')) {
      c.style.left = left;
    }
    for (const m of document.querySelectorAll('.marker, #events tbody tr')) {
      m.classList.toggle('future', Number(m.getAttribute('data-time')) > s);
    }
  }

  // ------------------------------------------------------------------ the list and the details

  function renderList() {
    clear(ui.events);
    ui.eventCount.textContent = events.length === 0 ? '' : '(' + events.length + ')';
    const withDate = events.length > 0 && range.max - range.min > 86400;
    for (const e of events) {
      const row = el('tr', null, { 'data-position': e.globalPosition, 'data-time': seconds(e.recordedAt), tabindex: 0 });
      row.appendChild(el('td', clock(seconds(e.recordedAt), withDate), { title: e.recordedAt }));
      row.appendChild(el('td', e.streamId));
      row.appendChild(el('td', e.type, { class: 'type', 'data-type': e.type }));
      row.appendChild(el('td', e.globalPosition, { class: 'num' }));
      row.addEventListener('click', () => select(e));
      row.addEventListener('keydown', (k) => {
        if (k.key === 'Enter') {
          select(e);
        }
      });
      ui.events.appendChild(row);
    }
  }

  function fieldTable(object, cls) {
    const table = el('table', null, { class: cls });
    const entries = object && typeof object === 'object' ? Object.entries(object) : [];
    if (entries.length === 0) {
      const tr = el('tr');
      tr.appendChild(el('td', 'none', { class: 'empty' }));
      table.appendChild(tr);
    }
    for (const [k, v] of entries) {
      const tr = el('tr', null, { 'data-field': k });
      tr.appendChild(el('th', k));
      tr.appendChild(el('td', asText(v)));
      table.appendChild(tr);
    }
    return table;
  }

  function select(e) {
    selected = e;
    for (const m of document.querySelectorAll('.selected')) {
      m.classList.remove('selected');
    }
    for (const m of document.querySelectorAll('[data-position="' + e.globalPosition + '"]')) {
      m.classList.add('selected');
    }
    clear(ui.details);
    const head = el('p', null, { class: 'event-head' });
    head.appendChild(el('span', e.type, { class: 'type', 'data-type': e.type }));
    head.appendChild(el('span', ' in ' + e.streamId + ' at ' + clock(seconds(e.recordedAt), true) + ' UTC'));
    ui.details.appendChild(head);
    ui.details.appendChild(fieldTable({
      'event id': e.eventId, 'stream version': e.streamVersion, 'global position': e.globalPosition,
      'schema version': e.schemaVersion, 'recorded at': e.recordedAt,
    }, 'fields facts'));
    ui.details.appendChild(el('h3', 'Payload'));
    const payload = fieldTable(e.payload, 'fields');
    payload.id = 'payload';
    ui.details.appendChild(payload);
    ui.details.appendChild(el('h3', 'Metadata'));
    const metadata = fieldTable(Object.assign({ correlationId: e.metadata.correlationId,
      causationId: e.metadata.causationId }, e.metadata.values), 'fields');
    metadata.id = 'metadata';
    ui.details.appendChild(metadata);
  }

  // ------------------------------------------------------------------ the state

  /** A map of records as a table (one row per key), a map of values as two columns, anything else as text. */
  function renderState(state) {
    clear(ui.state);
    if (state !== null && typeof state === 'object' && !Array.isArray(state)) {
      const entries = Object.entries(state);
      if (entries.length === 0) {
        ui.state.appendChild(el('p', 'empty: nothing had happened yet', { class: 'empty' }));
        return;
      }
      const records = entries.every(([, v]) => v !== null && typeof v === 'object' && !Array.isArray(v));
      const columns = records ? [...new Set(entries.flatMap(([, v]) => Object.keys(v)))] : ['value'];
      const table = el('table', null, { class: 'state' });
      const head = el('tr');
      head.appendChild(el('th', 'key'));
      columns.forEach((c) => head.appendChild(el('th', c)));
      table.appendChild(el('thead')).appendChild(head);
      const body = table.appendChild(el('tbody'));
      for (const [key, value] of entries) {
        const tr = el('tr', null, { 'data-key': key });
        tr.appendChild(el('th', key, { scope: 'row' }));
        for (const c of columns) {
          const v = records ? value[c] : value;
          tr.appendChild(el('td', asText(v), { 'data-field': c, 'data-value': asText(v) }));
        }
        body.appendChild(tr);
      }
      ui.state.appendChild(table);
    } else if (Array.isArray(state)) {
      const list = el('ol', null, { class: 'state' });
      state.forEach((v) => list.appendChild(el('li', asText(v))));
      ui.state.appendChild(list);
    } else {
      ui.state.appendChild(el('p', asText(state), { class: 'state scalar' }));
    }
  }

  async function showState(instantText) {
    const name = ui.projection.value;
    if (!name) {
      return;
    }
    const request = ++stateRequest;
    ui.stateName.textContent = name;
    try {
      const url = '/api/projections/' + encodeURIComponent(name) + '?at=' + encodeURIComponent(instantText);
      const answer = await getJson(url);
      if (request !== stateRequest) {
        return; // a newer instant was asked for meanwhile
      }
      renderState(answer.state);
      ui.stateAsOf.textContent = 'as of ' + answer.asOf + ': ' + answer.eventsIncluded + ' of '
          + events.length + ' events';
      ui.statePanel.setAttribute('data-as-of', answer.asOf);
      ui.statePanel.setAttribute('data-projection', name);
      say('');
    } catch (err) {
      if (request === stateRequest) {
        say(err.message, true);
      }
    }
  }

  // ------------------------------------------------------------------ wiring

  function fromSlider() {
    const s = Number(ui.slider.value);
    ui.instant.value = iso(s);
    markInstant(s);
    clearTimeout(debounce);
    debounce = setTimeout(() => showState(iso(s)), 80);
  }

  function fromText() {
    const text = ui.instant.value.trim();
    const parsed = Date.parse(text);
    if (!/^\d{4}-\d\d-\d\dT/.test(text) || Number.isNaN(parsed)) {
      say('not an instant: write it as ISO-8601, for example 2024-05-01T15:00:00Z', true);
      return;
    }
    const s = parsed / 1000;
    if (range) {
      ui.slider.value = String(s);
      markInstant(s);
    }
    showState(text);
  }

  async function reload() {
    say('loading…');
    try {
      await loadProjections();
      events = await loadEvents();
    } catch (err) {
      say(err.message, true);
      return;
    }
    range = events.length > 0 ? domain(events) : null;
    if (range) {
      ui.slider.min = String(range.min);
      ui.slider.max = String(range.max);
      ui.slider.step = String(range.step);
      ui.slider.value = String(range.max);
      ui.slider.disabled = false;
    }
    renderAxis();
    renderList();
    if (selected) {
      const again = events.find((e) => e.eventId === selected.eventId);
      if (again) {
        select(again);
      }
    }
    if (range) {
      fromSlider();
    } else {
      ui.instant.value = new Date().toISOString();
      showState(ui.instant.value);
    }
  }

  ui.slider.addEventListener('input', fromSlider);
  ui.instant.addEventListener('change', fromText);
  ui.instant.addEventListener('keydown', (k) => {
    if (k.key === 'Enter') {
      fromText();
    }
  });
  ui.projection.addEventListener('change', () => showState(ui.instant.value.trim()));
  ui.reload.addEventListener('click', reload);
  window.addEventListener('resize', () => {
    if (events.length > 0) {
      stackMarkers();
    }
  });

  reload();
})();
