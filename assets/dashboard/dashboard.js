// The dashboard page: reads only the router's JSON endpoints and polls them, so it updates without a
// reload. Plain browser script, served as is: no build step. Text is always set with textContent.
/* global echarts */
(() => {
  const api = '/api/v1/dashboard/';
  const pollMs = 3000;
  const tierColours = { high: '#cc79a7', medium: '#0072b2', low: '#009e73', '(none)': '#9a9a9a' };
  const modelPalette = [
    '#0072b2',
    '#e69f00',
    '#009e73',
    '#cc79a7',
    '#56b4e9',
    '#d55e00',
    '#f0e442',
    '#000000',
  ];
  const state = { frontier: null, trafficData: null, windowName: '24h', timer: null, explainSeq: 0 };
  const byId = (id) => document.getElementById(id);
  let frontierChart = null;
  let trafficChart = null;

  class Unauthorized extends Error {}

  async function getJson(path) {
    const response = await fetch(path, {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    if (response.status === 401) throw new Unauthorized('sign in');
    const body = await response.json();
    if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
    return body;
  }

  const usd = (value) => {
    if (value === null || value === undefined) return '–';
    if (value === 0) return '$0';
    if (Math.abs(value) < 0.01) return `$${value.toPrecision(2)}`;
    return `$${value.toFixed(2)}`;
  };
  const count = (value) =>
    value === null || value === undefined ? '–' : Number(value).toLocaleString('en-US');
  const ms = (value) =>
    value === null || value === undefined ? '–' : `${Math.round(value).toLocaleString('en-US')} ms`;
  const percent = (value) => (value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)}%`);
  const time = (epoch) => new Date(epoch).toLocaleTimeString('en-GB', { hour12: false });

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function tierCell(tier) {
    const td = document.createElement('td');
    if (tier) {
      const span = document.createElement('span');
      span.className = `tier tier-${tier}`;
      span.textContent = tier;
      td.append(span);
    } else td.textContent = '–';
    return td;
  }

  function fillTable(id, rows, render, empty) {
    const body = byId(id).tBodies[0];
    const fresh = document.createElement('tbody');
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      const td = cell(empty ?? 'nothing yet', 'muted');
      td.colSpan = byId(id).tHead.rows[0].cells.length;
      tr.append(td);
      fresh.append(tr);
    }
    for (const row of rows) fresh.append(render(row));
    body.replaceWith(fresh);
  }

  // ---- frontier chart and the min_coding_score slider ----
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }

  function renderFrontier(body) {
    state.frontier = body;
    const option = body.chart;
    option.tooltip = {
      trigger: 'item',
      confine: true,
      formatter: (params) => {
        const lines = params.data?.details;
        return Array.isArray(lines) ? lines.map(escapeHtml).join('<br>') : escapeHtml(params.name ?? '');
      },
    };
    // Keep the slider's line where the user put it across refreshes.
    const score = Number(byId('score').value);
    const bar = option.series.find((series) => series.id === 'min-coding-score');
    if (bar) bar.markLine.data = [{ yAxis: score }];
    frontierChart.setOption(option, { notMerge: true });
  }

  function moveBar(score, label) {
    frontierChart?.setOption({
      series: [
        {
          id: 'min-coding-score',
          markLine: {
            data: [{ yAxis: score }],
            label: { formatter: label ?? `min_coding_score ${score.toFixed(2)}` },
          },
        },
      ],
    });
  }

  // The pick comes from the router's own explain endpoint, so it is route() itself, not a copy of it.
  async function explainPick() {
    const score = Number(byId('score').value);
    byId('score-value').textContent = score.toFixed(2);
    moveBar(score);
    const sequence = ++state.explainSeq;
    const query = new URLSearchParams({ min_coding_score: String(score) });
    if (byId('nitro').checked) query.set('nitro', '1');
    try {
      const plan = await getJson(`/api/v1/router/explain?${query}`);
      if (sequence !== state.explainSeq) return;
      const first = plan.candidates?.[0];
      const pick = byId('pick');
      pick.textContent = first ? first.modelId : 'no model';
      pick.dataset.model = first ? first.modelId : '';
      pick.dataset.tier = plan.tier ?? '';
      byId('pick-detail').textContent = first
        ? `(${plan.tier} tier${plan.steppedTo ? `, stepped to ${plan.steppedTo}` : ''}; ${first.reason})`
        : '(nothing fits)';
      const picked = first ? first.modelId : 'none';
      // A phone has room for the model's own name only, not its vendor.
      moveBar(
        score,
        window.innerWidth < 600
          ? `${score.toFixed(2)} → ${picked.slice(picked.indexOf('/') + 1)}`
          : `min_coding_score ${score.toFixed(2)} → ${picked}`,
      );
    } catch (error) {
      if (sequence === state.explainSeq) byId('pick-detail').textContent = String(error.message ?? error);
    }
  }

  // ---- traffic ----
  function renderTraffic(body) {
    state.trafficData = body;
    byId('tile-requests').textContent = count(body.totals.requests);
    byId('tile-spend').textContent = usd(body.totals.cost_usd);
    byId('tile-high').textContent = usd(body.totals.high_tier_cost_usd);
    byId('tile-saving').textContent = usd(body.totals.saving_usd);
    byId('tile-high').title = body.high_tier_model ? `priced as ${body.high_tier_model}` : '';
    byId('tile-fallbacks').textContent = count(body.fallbacks.requests);
    drawTrafficChart();
    fillTable(
      'fallbacks-table',
      body.fallbacks.reasons,
      (row) => {
        const tr = document.createElement('tr');
        tr.append(cell(row.model), cell(row.error_code), cell(count(row.attempts), 'num'));
        return tr;
      },
      'no failed attempts in this window',
    );
  }

  function drawTrafficChart() {
    const body = state.trafficData;
    if (!body || !trafficChart) return;
    const metric = byId('traffic-metric').value;
    const group = byId('traffic-group').value;
    const starts = [];
    for (let at = body.window.since; at < body.window.until; at += body.window.bucket_ms) starts.push(at);
    const groups = new Map();
    for (const row of body.buckets) {
      const name = (group === 'tier' ? row.tier : row.model) ?? '(none)';
      if (!groups.has(name)) groups.set(name, new Map());
      const value = metric === 'tokens' ? row.prompt_tokens + row.completion_tokens : row[metric];
      const series = groups.get(name);
      series.set(row.start, (series.get(row.start) ?? 0) + value);
    }
    const names = [...groups.keys()].sort();
    const compact = window.innerWidth < 600;
    const label = (at) => {
      const date = new Date(at);
      return body.window.bucket_ms >= 86_400_000
        ? date.toISOString().slice(5, 10)
        : date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });
    };
    trafficChart.setOption(
      {
        animation: false,
        textStyle: { fontFamily: 'system-ui, sans-serif' },
        tooltip: { trigger: 'axis', confine: true },
        legend: { bottom: 0, type: 'scroll', textStyle: { fontSize: compact ? 11 : 12 } },
        grid: { left: compact ? 48 : 64, right: 16, top: 16, bottom: 56 },
        xAxis: { type: 'category', data: starts.map(label), axisLabel: { fontSize: compact ? 10 : 12 } },
        yAxis: { type: 'value', axisLabel: { fontSize: compact ? 10 : 12 } },
        series: names.map((name, position) => ({
          name,
          type: 'bar',
          stack: 'traffic',
          itemStyle: {
            color:
              group === 'tier' ? (tierColours[name] ?? '#999') : modelPalette[position % modelPalette.length],
          },
          data: starts.map((at) => groups.get(name).get(at) ?? 0),
        })),
      },
      { notMerge: true },
    );
  }

  // ---- performance, cache, requests, keys, snapshot ----
  function renderPerformance(body) {
    fillTable('latency-table', body.latency, (row) => {
      const tr = document.createElement('tr');
      tr.append(
        cell(row.model),
        cell(count(row.requests), 'num'),
        cell(ms(row.latency_p50_ms), 'num'),
        cell(ms(row.latency_p95_ms), 'num'),
        cell(ms(row.ttft_p50_ms), 'num'),
        cell(ms(row.ttft_p95_ms), 'num'),
      );
      return tr;
    });
    fillTable('throughput-table', body.throughput, (row) => {
      const tr = document.createElement('tr');
      tr.append(
        cell(row.model),
        cell(
          row.live_tokens_per_second === null ? '–' : Math.round(row.live_tokens_per_second).toString(),
          'num',
        ),
        cell(count(row.samples), 'num'),
        cell(row.reference_tokens_per_second === null ? '–' : String(row.reference_tokens_per_second), 'num'),
        cell(row.used_by_nitro),
      );
      return tr;
    });
  }

  function renderCache(body) {
    const render = (field) => (row) => {
      const tr = document.createElement('tr');
      tr.append(
        cell(row[field]),
        cell(count(row.prompt_tokens), 'num'),
        cell(count(row.cached_tokens), 'num'),
        cell(percent(row.hit_rate), 'num'),
      );
      return tr;
    };
    fillTable('cache-model-table', body.by_model, render('model'));
    fillTable('cache-ingress-table', body.by_ingress, render('ingress'));
    const sticky = body.sticky;
    byId('sticky').textContent =
      `sticky sessions: ${count(sticky.hits)} hits, ${count(sticky.misses)} misses` +
      (sticky.hit_rate === null ? '' : ` (${percent(sticky.hit_rate)} stayed on their model)`);
  }

  function renderRequests(body) {
    fillTable('requests-table', body.data, (row) => {
      const tr = document.createElement('tr');
      tr.tabIndex = 0;
      tr.dataset.id = row.id;
      tr.append(
        cell(time(row.created_at)),
        tierCell(row.tier),
        cell(row.model ?? '–'),
        cell(String(row.attempts), 'num'),
        cell(`${count(row.prompt_tokens)} / ${count(row.completion_tokens)}`, 'num'),
        cell(usd(row.cost_usd), 'num'),
        cell(ms(row.latency_ms), 'num'),
        cell(
          row.error_code ? `${row.status} ${row.error_code}` : String(row.status),
          row.status >= 400 ? 'status-bad' : '',
        ),
      );
      return tr;
    });
  }

  async function openRecord(id) {
    const body = await getJson(`${api}requests/${encodeURIComponent(id)}`);
    byId('record-title').textContent = `Request ${id}`;
    byId('record-body').textContent = JSON.stringify(body.data, null, 2);
    byId('record-dialog').showModal();
  }

  function renderKeys(body) {
    fillTable(
      'keys-table',
      body.data,
      (row) => {
        const tr = document.createElement('tr');
        const name = cell(`${row.name} (${row.label})${row.revoked ? ' revoked' : ''}`);
        tr.append(name);
        for (const budget of row.budgets) {
          const td = cell('', 'budget');
          td.textContent =
            budget.limit_usd === null
              ? `${usd(budget.used_usd)} / no limit`
              : `${usd(budget.used_usd)} / ${usd(budget.limit_usd)}`;
          if (budget.limit_usd) {
            const meter = document.createElement('span');
            meter.className = 'meter';
            const fill = document.createElement('span');
            fill.style.width = `${Math.min(100, (budget.used_usd / budget.limit_usd) * 100)}%`;
            meter.append(fill);
            td.append(meter);
          }
          tr.append(td);
        }
        return tr;
      },
      'no keys: the router runs in open mode',
    );
  }

  function renderSnapshot(body) {
    byId('snapshot-badge').textContent = `snapshot ${body.active.version}`;
    const root = byId('snapshot');
    root.replaceChildren();
    const line = (text) => {
      const p = document.createElement('p');
      p.textContent = text;
      root.append(p);
    };
    line(
      `Active: ${body.active.version}, built ${body.active.created_at.slice(0, 10)}; ${body.active.shortlist} shortlist models of ${body.active.models}.`,
    );
    if (body.diff === null) {
      line('No older snapshot to compare with.');
      return;
    }
    if (body.diff.error) {
      line(body.diff.error);
      return;
    }
    line(`Compared with ${body.previous}:`);
    const list = document.createElement('ul');
    const item = (text) => {
      const li = document.createElement('li');
      li.textContent = text;
      list.append(li);
    };
    const diff = body.diff;
    if (diff.added.length) item(`added: ${diff.added.map((m) => m.id).join(', ')}`);
    if (diff.removed.length) item(`removed: ${diff.removed.map((m) => m.id).join(', ')}`);
    for (const change of diff.tierChanges)
      item(`${change.id}: tier ${change.from ?? 'none'} → ${change.to ?? 'none'}`);
    if (diff.priceChanges.length) item(`${diff.priceChanges.length} price changes`);
    if (diff.percentileChanges.length) item(`${diff.percentileChanges.length} coding percentile changes`);
    if (!list.children.length) item('no changes');
    root.append(list);
  }

  // ---- polling ----
  const windowQuery = () => `window=${encodeURIComponent(state.windowName)}`;
  let tick = 0;

  async function refresh() {
    const compact = window.innerWidth < 600 ? '?compact=1' : '';
    const jobs = [
      getJson(`${api}traffic?${windowQuery()}`).then(renderTraffic),
      getJson(`${api}performance?${windowQuery()}`).then(renderPerformance),
      getJson(`${api}cache?${windowQuery()}`).then(renderCache),
      getJson(`${api}requests?limit=50`).then(renderRequests),
    ];
    if (tick % 3 === 0) jobs.push(getJson(`${api}frontier${compact}`).then(renderFrontier));
    if (tick % 10 === 0) {
      jobs.push(getJson(`${api}keys`).then(renderKeys), getJson(`${api}snapshot`).then(renderSnapshot));
    }
    tick += 1;
    const results = await Promise.allSettled(jobs);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed && failed.reason instanceof Unauthorized) {
      showSignIn();
      return;
    }
    byId('live').textContent = failed
      ? `update failed: ${failed.reason.message ?? failed.reason}`
      : `live · updated ${time(Date.now())}`;
    document.body.dataset.updates = String(tick);
    state.timer = setTimeout(refresh, pollMs);
  }

  function showSignIn() {
    clearTimeout(state.timer);
    byId('dashboard').hidden = true;
    byId('sign-out').hidden = true;
    byId('sign-in').hidden = false;
    byId('live').textContent = 'signed out';
    byId('master-key').focus();
  }

  async function showDashboard(signInRequired) {
    byId('sign-in').hidden = true;
    byId('dashboard').hidden = false;
    byId('sign-out').hidden = !signInRequired;
    frontierChart ??= echarts.init(byId('frontier-chart'), null, { renderer: 'canvas' });
    trafficChart ??= echarts.init(byId('traffic-chart'), null, { renderer: 'canvas' });
    tick = 0;
    await refresh();
    await explainPick();
  }

  async function start() {
    byId('window').addEventListener('change', (event) => {
      state.windowName = event.target.value;
      clearTimeout(state.timer);
      tick = 1;
      refresh();
    });
    byId('traffic-metric').addEventListener('change', drawTrafficChart);
    byId('traffic-group').addEventListener('change', drawTrafficChart);
    byId('score').addEventListener('input', explainPick);
    byId('nitro').addEventListener('change', explainPick);
    const table = byId('requests-table');
    table.addEventListener('click', (event) => {
      const row = event.target.closest('tr[data-id]');
      if (row) openRecord(row.dataset.id);
    });
    table.addEventListener('keydown', (event) => {
      const row = event.target.closest('tr[data-id]');
      if (row && (event.key === 'Enter' || event.key === ' ')) {
        event.preventDefault();
        openRecord(row.dataset.id);
      }
    });
    window.addEventListener('resize', () => {
      frontierChart?.resize();
      trafficChart?.resize();
    });
    byId('sign-in-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const key = byId('master-key').value;
      const response = await fetch(`${api}session`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key }),
      });
      byId('master-key').value = '';
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        byId('sign-in-error').textContent = body?.error?.message ?? 'sign-in failed';
        return;
      }
      byId('sign-in-error').textContent = '';
      await showDashboard(true);
    });
    byId('sign-out').addEventListener('click', async () => {
      await fetch(`${api}session`, { method: 'DELETE', credentials: 'same-origin' });
      showSignIn();
    });
    const session = await getJson(`${api}session`);
    if (session.signed_in) await showDashboard(session.sign_in_required);
    else showSignIn();
  }

  start().catch((error) => {
    byId('live').textContent = `could not start: ${error.message ?? error}`;
  });
})();
