/* web/svg: bar charts drawn on the server as inline SVG (the dashboard's
 * plots, dash.c). No script and no style attribute (the CSP has no
 * 'unsafe-inline'): shapes carry presentation attributes and classes
 * that site.css / dash.css colour. Every chart is role="img" with an
 * aria-label, and each bar has a <title> saying its label and value (a
 * tooltip, and what a screen reader finds) and a data-value the browser
 * test reads. Text is escaped: labels come from the caller. */
#include "web/web_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define W 480
#define H 200
#define LEFT 40   /* the y axis's numbers */
#define RIGHT 8
#define TOP 12
#define BOTTOM 34 /* the x axis's labels */

/* The top of the y axis: the smallest 1, 2 or 5 times a power of ten at
 * or above max (1 for an empty chart), so the grid lines read well. */
static int64_t nice_top(int64_t max)
{
	if (max <= 0)
		return 1;
	for (int64_t p = 1;; p *= 10)
		for (int k = 0; k < 3; k++) {
			int64_t m = p * (int64_t[]){1, 2, 5}[k];
			if (m >= max || p > INT64_MAX / 50)
				return m;
		}
}

static void text_esc(wy_buf *b, const char *s) { wy_html_escape(b, s ? s : ""); }

void web_svg_bars(wy_buf *b, const web_svg_chart *ch)
{
	int n = ch->n > 0 ? ch->n : 0, ns = ch->nseries < 1 ? 1 : ch->nseries > WEB_SVG_SERIES ? WEB_SVG_SERIES : ch->nseries;
	int64_t max = 0;
	for (int i = 0; i < n; i++) {
		int64_t sum = 0;
		for (int k = 0; k < ns; k++)
			sum += ch->series[k].v[i] > 0 ? ch->series[k].v[i] : 0;
		if (sum > max)
			max = sum;
	}
	int64_t top = nice_top(max);
	double plot_w = W - LEFT - RIGHT, plot_h = H - TOP - BOTTOM;
	double step = n ? plot_w / n : plot_w, bar = step * 0.7;
	wy_buf_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, H);
	text_esc(b, ch->label);
	wy_buf_puts(b, "\" preserveAspectRatio=\"xMidYMid meet\"");
	if (ch->id) {
		wy_buf_puts(b, " id=\"");
		text_esc(b, ch->id);
		wy_buf_putc(b, '"');
	}
	wy_buf_puts(b, "><title>");
	text_esc(b, ch->label);
	wy_buf_puts(b, "</title>\n");
	/* grid lines and the y axis's numbers: 0, half, top */
	for (int g = 0; g <= 2; g++) {
		int64_t v = top * g / 2;
		if (g == 1 && top % 2)
			continue; /* 1 has no whole half */
		double y = TOP + plot_h - plot_h * (double)v / (double)top;
		wy_buf_printf(b,
			      "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke-width=\"1\"/>"
			      "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"13\">%" PRId64 "</text>\n",
			      LEFT, W - RIGHT, y, y, LEFT - 6, y + 4, v);
	}
	/* the bars, stacked when there are several series */
	int every = n > 12 ? (n + 5) / 6 : 1; /* a label under every k-th bar */
	for (int i = 0; i < n; i++) {
		double x = LEFT + step * i + (step - bar) / 2, base = TOP + plot_h;
		wy_buf_printf(b, "<g class=\"bar\" data-label=\"");
		text_esc(b, ch->labels[i]);
		wy_buf_puts(b, "\">");
		for (int k = 0; k < ns; k++) {
			int64_t v = ch->series[k].v[i] > 0 ? ch->series[k].v[i] : 0;
			double h = plot_h * (double)v / (double)top;
			/* a zero still gets its (empty) rect: its title and value are there to read */
			wy_buf_printf(b, "<rect class=\"s%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" data-value=\"%" PRId64 "\"",
				      k, x, base - h, bar, h, v);
			if (ch->series[k].name) {
				wy_buf_puts(b, " data-series=\"");
				text_esc(b, ch->series[k].key ? ch->series[k].key : ch->series[k].name);
				wy_buf_putc(b, '"');
			}
			wy_buf_puts(b, "><title>");
			text_esc(b, ch->labels[i]);
			if (ch->series[k].name) {
				wy_buf_puts(b, " ");
				text_esc(b, ch->series[k].name);
			}
			wy_buf_printf(b, ": %" PRId64 "</title></rect>", v);
			base -= h;
		}
		wy_buf_puts(b, "</g>\n");
		if (i % every == 0 || i == n - 1) {
			if (i == n - 1 && i % every && i % every < every / 2 + 1)
				continue; /* too close to the label before it */
			wy_buf_printf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">",
				      LEFT + step * i + step / 2, H - BOTTOM + 18);
			text_esc(b, ch->short_labels ? ch->short_labels[i] : ch->labels[i]);
			wy_buf_puts(b, "</text>\n");
		}
	}
	/* the axes */
	wy_buf_printf(b,
		      "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke-width=\"1\"/>"
		      "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke-width=\"1\"/>\n</svg>",
		      LEFT, W - RIGHT, H - BOTTOM, H - BOTTOM, LEFT, LEFT, TOP, H - BOTTOM);
}
