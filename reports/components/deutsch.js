// German number and date formats for the charts (import from '$lib/deutsch.js' in a page).
//
// Evidence 39 formats chart axes and tooltips with SheetJS format codes, which know only the English
// decimal point and thousands comma ("80,000", "7.5"). Charts take `echartsOptions`, which ECharts
// merges over Evidence's own configuration: these helpers return such options with German formatters.
// Tables and inline values are formatted in the page SQL instead (see reports/README.md).

const zahlFormate = new Map();

/** A number the German way: 80.000, 7,5; `stellen` = maximum number of decimals. */
export function zahl(wert, stellen = 1) {
	if (wert === null || wert === undefined || Number.isNaN(Number(wert))) return '–';
	if (!zahlFormate.has(stellen)) {
		zahlFormate.set(stellen, new Intl.NumberFormat('de-DE', { maximumFractionDigits: stellen }));
	}
	return zahlFormate.get(stellen).format(Number(wert));
}

/** dd.mm.yyyy for a Date, a timestamp or an ISO date string; anything else unchanged (category axes). */
export function datum(wert) {
	if (wert instanceof Date || typeof wert === 'number' || /^\d{4}-\d{2}-\d{2}/.test(String(wert))) {
		const d = new Date(wert);
		if (!Number.isNaN(d.getTime())) {
			const tag = String(d.getUTCDate()).padStart(2, '0');
			const monat = String(d.getUTCMonth() + 1).padStart(2, '0');
			return `${tag}.${monat}.${d.getUTCFullYear()}`;
		}
	}
	return String(wert ?? '');
}

function tooltip(quer, stellen, einheit) {
	const zusatz = einheit ? ` ${einheit}` : '';
	return function (params) {
		const liste = Array.isArray(params) ? params : [params];
		if (!liste.length) return '';
		// Evidence's series values are [x, y], or [y, x] when the axes are swapped (horizontal bars)
		const x = liste[0].value?.[quer ? 1 : 0];
		let html = `<span style="font-weight: 600;">${datum(x)}</span>`;
		for (let i = liste.length - 1; i >= 0; i--) {
			const p = liste[i];
			if (p.seriesName === 'stackTotal') continue;
			const y = p.value?.[quer ? 0 : 1];
			const text = y === null || y === undefined ? 'kein Wert' : zahl(y, stellen) + zusatz;
			html += `<br>${p.marker} ${p.seriesName}<span style="float: right; margin-left: 10px;">${text}</span>`;
		}
		return html;
	};
}

/** echartsOptions for line, area and vertical bar charts: German value axis and tooltip. */
export function linien({ stellen = 1, einheit = '' } = {}) {
	return {
		yAxis: { axisLabel: { formatter: (v) => zahl(v, stellen) } },
		tooltip: { formatter: tooltip(false, stellen, einheit) }
	};
}

/** echartsOptions for horizontal bar charts (swapXY=true): the value axis is the horizontal one. */
export function balken({ stellen = 1, einheit = '' } = {}) {
	return {
		xAxis: { axisLabel: { formatter: (v) => zahl(v, stellen) } },
		tooltip: { formatter: tooltip(true, stellen, einheit) }
	};
}
