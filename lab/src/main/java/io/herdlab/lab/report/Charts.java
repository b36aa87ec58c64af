package io.herdlab.lab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.herdlab.lab.analysis.Timeseries;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG charts for the report, drawn with JFreeChart (headless). */
final class Charts {

    static final int WIDTH = 960;
    static final int HEIGHT = 400;

    private Charts() {
    }

    static final String SECONDS = "seconds since the warm phase started";

    /**
     * A line chart with a dashed marker at each {@code markers} x (the expiry, the spike).
     *
     * @param logScale a logarithmic y axis (latency)
     */
    static void lines(Path file, String title, String xLabel, String yLabel, List<Timeseries.Series> series,
            Map<String, Double> markers, boolean logScale) throws IOException {
        XYSeriesCollection dataset = new XYSeriesCollection();
        for (Timeseries.Series s : series) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.t().length; i++) {
                double v = s.value()[i];
                if (!Double.isNaN(v) && (!logScale || v > 0)) {
                    xy.add(s.t()[i], v);
                }
            }
            dataset.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, dataset, PlotOrientation.VERTICAL, true,
                false, false);
        XYPlot plot = chart.getXYPlot();
        style(chart);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        // points as well as lines where x is a count (replicas), not time
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, !xLabel.equals(SECONDS));
        for (int i = 0; i < series.size(); i++) {
            boolean dashed = dashed(series.get(i).name());
            renderer.setSeriesStroke(i, new BasicStroke(dashed ? 1.2f : 2f, BasicStroke.CAP_ROUND,
                    BasicStroke.JOIN_ROUND, 10f, dashed ? new float[] {6f, 4f} : null, 0f));
        }
        plot.setRenderer(renderer);
        if (!xLabel.equals(SECONDS)) {
            NumberAxis counts = (NumberAxis) plot.getDomainAxis();
            counts.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            counts.setAutoRangeIncludesZero(true);
        }
        if (logScale) {
            plot.setRangeAxis(rangeAxis(yLabel, positives(series.stream().flatMap(x -> Arrays.stream(x.value()).boxed())),
                    1));
        }
        markers.forEach((label, x) -> {
            ValueMarker marker = new ValueMarker(x, Color.GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
            marker.setLabel(label);
            marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            // the first label left of its line, the others right of theirs, so close markers stay readable
            boolean first = plot.getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND) == null;
            marker.setLabelAnchor(first ? org.jfree.chart.ui.RectangleAnchor.TOP_LEFT
                    : org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(first ? org.jfree.chart.ui.TextAnchor.TOP_RIGHT
                    : org.jfree.chart.ui.TextAnchor.TOP_LEFT);
            plot.addDomainMarker(marker);
        });
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /** A bar chart: one bar per category, or one group per category and one bar per series. */
    static void bars(Path file, String title, String xLabel, String yLabel, Map<String, Map<String, ? extends Number>> data,
            boolean logScale) throws IOException {
        DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        data.forEach((series, values) -> values.forEach((category, value) ->
                dataset.addValue(logScale && value.doubleValue() <= 0 ? null : value, series, category)));
        JFreeChart chart = ChartFactory.createBarChart(title, xLabel, yLabel, dataset, PlotOrientation.VERTICAL,
                data.size() > 1, false, false);
        style(chart);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (logScale) {
            plot.setRangeAxis(rangeAxis(yLabel, positives(data.values().stream().flatMap(v -> v.values().stream())
                    .map(Number::doubleValue)), 0.5));
        }
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /** The positive values among {@code values}, sorted (what a log axis can draw). */
    private static double[] positives(Stream<Double> values) {
        return values.mapToDouble(Double::doubleValue).filter(v -> v > 0 && Double.isFinite(v)).sorted().toArray();
    }

    /**
     * Whether a log axis helps values from {@code min} to {@code max}: only across a decade or more.
     * Over a narrower range a log axis shows one tick or none, so the chart could not be read.
     */
    static boolean logAxisFits(double min, double max) {
        return min > 0 && max / min >= 10;
    }

    /**
     * A log axis (base 10, integer ticks) for the sorted positive {@code values} when they span a
     * decade or more, otherwise a linear one whose label no longer says "(log scale)".
     */
    static ValueAxis rangeAxis(String yLabel, double[] values, double smallest) {
        if (values.length == 0 || !logAxisFits(values[0], values[values.length - 1])) {
            return new NumberAxis(yLabel.replace(" (log scale)", ""));
        }
        LogAxis axis = new LogAxis(yLabel);
        axis.setSmallestValue(smallest);
        axis.setBase(10);
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        return axis;
    }

    private static boolean dashed(String seriesName) {
        return seriesName.contains("pending") || seriesName.endsWith("Redis-side");
    }

    private static void style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        chart.setAntiAlias(true);
    }
}
