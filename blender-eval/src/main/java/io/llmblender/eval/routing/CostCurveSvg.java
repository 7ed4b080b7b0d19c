package io.llmblender.eval.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Draws cost curves as a self-contained SVG 1.1 document (no library, no script, no external font): one polyline
 * with markers per curve, dashed horizontal reference lines (for example the best single LLM and the oracle),
 * labelled reference points, axes with five ticks each and a legend. A curve whose name contains {@code bound} is
 * drawn dotted in the colour of the curve before it; colours repeat after eight curves.
 *
 * <p>Stateless and thread-safe.
 */
public final class CostCurveSvg {

    /**
     * A labelled horizontal line or point on the chart.
     *
     * @param label the legend text
     * @param cost the point's cost, or {@code NaN} for a horizontal line across the chart
     * @param quality its quality
     */
    public record Mark(String label, double cost, double quality) {}

    private static final String[] COLOURS = {
        "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"
    };
    private static final int W = 760;
    private static final int H = 460;
    private static final int LEFT = 70;
    private static final int RIGHT = 250;
    private static final int TOP = 40;
    private static final int BOTTOM = 55;

    private CostCurveSvg() {}

    /**
     * Renders a chart.
     *
     * @param title the title
     * @param xLabel the cost axis' label
     * @param yLabel the quality axis' label
     * @param curves the curves, each read on its own axis ({@link CostCurve#axis()})
     * @param marks reference lines and points
     * @return the SVG document
     * @throws IllegalArgumentException if there is nothing to draw
     */
    public static String render(String title, String xLabel, String yLabel, List<CostCurve> curves, List<Mark> marks) {
        Objects.requireNonNull(curves, "curves");
        Objects.requireNonNull(marks, "marks");
        if (curves.isEmpty() && marks.isEmpty()) {
            throw new IllegalArgumentException("nothing to draw: no curves and no marks");
        }
        double x0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (CostCurve c : curves) {
            for (CurvePoint p : c.points()) {
                x0 = Math.min(x0, p.on(c.axis()));
                x1 = Math.max(x1, p.on(c.axis()));
                y0 = Math.min(y0, p.quality());
                y1 = Math.max(y1, p.quality());
            }
        }
        for (Mark m : marks) {
            if (!Double.isNaN(m.cost())) {
                x0 = Math.min(x0, m.cost());
                x1 = Math.max(x1, m.cost());
            }
            y0 = Math.min(y0, m.quality());
            y1 = Math.max(y1, m.quality());
        }
        if (!Double.isFinite(x0)) {
            x0 = 0;
            x1 = 1;
        }
        if (x1 == x0) {
            x0 -= 0.5;
            x1 += 0.5;
        }
        if (y1 == y0) {
            y0 -= 0.5;
            y1 += 0.5;
        }
        double pad = (y1 - y0) * 0.05;
        y0 -= pad;
        y1 += pad;
        Scale s = new Scale(x0, x1, y0, y1);
        StringBuilder b = new StringBuilder();
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append(f(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\""
                        + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
                W, H, W, H));
        b.append(f("<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H));
        b.append(f("<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>\n", LEFT, esc(title)));
        int plotRight = W - RIGHT;
        int plotBottom = H - BOTTOM;
        b.append(f(
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>\n",
                LEFT, TOP, plotRight - LEFT, plotBottom - TOP));
        for (int t = 0; t <= 4; t++) {
            double xv = x0 + (x1 - x0) * t / 4;
            double yv = y0 + (y1 - y0) * t / 4;
            b.append(f(
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n",
                    s.x(xv), TOP, s.x(xv), plotBottom));
            b.append(f(
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", s.x(xv), plotBottom + 16, num(xv)));
            b.append(f(
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                    LEFT, s.y(yv), plotRight, s.y(yv)));
            b.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", LEFT - 6, s.y(yv) + 4, num(yv)));
        }
        b.append(f(
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                (LEFT + plotRight) / 2.0, H - 15, esc(xLabel)));
        b.append(f(
                "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 18 %.1f)\">%s</text>\n",
                (TOP + plotBottom) / 2.0, (TOP + plotBottom) / 2.0, esc(yLabel)));
        List<String[]> legend = new ArrayList<>();
        int colour = 0;
        for (CostCurve c : curves) {
            boolean bound = c.name().contains("bound");
            // a bound is drawn dotted in the colour of the curve before it (its real counterpart)
            String col = COLOURS[(bound && colour > 0 ? colour - 1 : colour++) % COLOURS.length];
            StringBuilder pts = new StringBuilder();
            for (CurvePoint p : c.points()) {
                pts.append(f("%.1f,%.1f ", s.x(p.on(c.axis())), s.y(p.quality())));
            }
            b.append(f(
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\"/>\n",
                    col,
                    bound ? " stroke-dasharray=\"2,3\"" : "",
                    pts.toString().strip()));
            for (CurvePoint p : c.points()) {
                b.append(f(
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n",
                        s.x(p.on(c.axis())), s.y(p.quality()), col));
            }
            legend.add(new String[] {col, c.name(), bound ? "dots" : "line"});
        }
        int point = 0;
        for (Mark m : marks) {
            String col = "#555";
            if (Double.isNaN(m.cost())) {
                // a line's label sits at its right end, above it
                b.append(f(
                        "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"6,4\"/>\n",
                        LEFT, s.y(m.quality()), plotRight, s.y(m.quality()), col));
                b.append(f(
                        "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" fill=\"%s\" text-anchor=\"end\">%s</text>\n",
                        plotRight - 4, s.y(m.quality()) - 3, col, esc(m.label())));
            } else {
                // a point's label to its right, alternately above and below, so that neighbours do not collide
                b.append(f(
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"%s\"/>\n",
                        s.x(m.cost()) - 3.5, s.y(m.quality()) - 3.5, col));
                boolean right = s.x(m.cost()) < (LEFT + plotRight) / 2.0;
                b.append(f(
                        "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\" text-anchor=\"%s\">%s</text>\n",
                        s.x(m.cost()) + (right ? 6 : -6),
                        s.y(m.quality()) + (point++ % 2 == 0 ? 13 : -6),
                        col,
                        right ? "start" : "end",
                        esc(m.label())));
            }
        }
        int ly = TOP + 6;
        for (String[] l : legend) {
            b.append(f(
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
                    plotRight + 12,
                    ly,
                    plotRight + 36,
                    ly,
                    l[0],
                    l[2].equals("dots") ? " stroke-dasharray=\"2,3\"" : ""));
            ly = wrapped(b, l[1], plotRight + 42, ly);
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static int wrapped(StringBuilder b, String text, int x, int y) {
        int width = 30;
        String rest = text;
        int line = y + 4;
        while (!rest.isEmpty()) {
            int cut = rest.length() <= width ? rest.length() : Math.max(rest.lastIndexOf(' ', width), 1);
            b.append(f(
                    "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n",
                    x, line, esc(rest.substring(0, cut).strip())));
            rest = rest.substring(cut).strip();
            line += 13;
        }
        return line + 6;
    }

    private record Scale(double x0, double x1, double y0, double y1) {
        double x(double v) {
            return LEFT + (v - x0) / (x1 - x0) * (W - RIGHT - LEFT);
        }

        double y(double v) {
            return H - BOTTOM - (v - y0) / (y1 - y0) * (H - BOTTOM - TOP);
        }
    }

    private static String num(double v) {
        double a = Math.abs(v);
        return a >= 100 ? f("%.0f", v) : a >= 10 ? f("%.1f", v) : f("%.2f", v);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
