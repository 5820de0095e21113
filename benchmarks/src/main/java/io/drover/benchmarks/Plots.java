package io.drover.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/** PNG charts for benchmark reports, drawn with JFreeChart (headless). */
public final class Plots {
    private Plots() {}

    /**
     * A grouped bar chart: one group per category (e.g. a cluster size), one bar per series
     * (e.g. p50 and p99), series in name order.
     */
    public static Path bars(Path png, String title, String xLabel, String yLabel, List<String> categories,
            Map<String, List<Double>> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (var e : new TreeMap<>(series).entrySet()) {
            for (int i = 0; i < categories.size() && i < e.getValue().size(); i++) {
                Double v = e.getValue().get(i);
                if (v != null && !v.isNaN()) {
                    data.addValue(v, e.getKey(), categories.get(i));
                }
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 800, 500);
        System.out.println("plot written to " + png);
        return png;
    }
}
