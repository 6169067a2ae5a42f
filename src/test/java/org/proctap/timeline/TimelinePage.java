package org.proctap.timeline;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A timeline page opened from file:// in a headless chromium, at a fixed viewport, with the
 * page's errors collected from before it loads.
 */
public final class TimelinePage implements AutoCloseable {
    public static final int WIDTH = 1400;
    public static final int HEIGHT = 900;

    private final HeadlessChromium browser;
    private final DevTools devtools;

    private TimelinePage(HeadlessChromium browser, DevTools devtools) {
        this.browser = browser;
        this.devtools = devtools;
    }

    public static TimelinePage open(Path html) throws Exception {
        return open(html, 1);
    }

    /** Opens {@code html} at {@code scale} device pixels per css pixel (2: a HiDPI screen). */
    public static TimelinePage open(Path html, int scale) throws Exception {
        HeadlessChromium browser = HeadlessChromium.start(WIDTH, HEIGHT);
        try {
            DevTools d = browser.page();
            d.call("Runtime.enable");
            d.call("Log.enable");
            d.call("Page.enable");
            d.call("Emulation.setDeviceMetricsOverride", Map.of("width", WIDTH, "height", HEIGHT,
                    "deviceScaleFactor", scale, "mobile", false));
            d.clearEvents();
            d.call("Page.navigate", Map.of("url", html.toUri().toString()));
            d.await("Page.loadEventFired", Duration.ofSeconds(120));
            return new TimelinePage(browser, d);
        } catch (Exception | Error e) {
            browser.close();
            throw e;
        }
    }

    public DevTools devtools() {
        return devtools;
    }

    public JsonNode eval(String expression) {
        return devtools.eval(expression);
    }

    /** The canvas's top-left corner in the viewport, css px. */
    public double[] canvasOrigin() {
        JsonNode r = eval("(() => { const r = document.getElementById('pt-canvas').getBoundingClientRect();"
                + " return [r.left, r.top]; })()");
        return new double[] {r.get(0).asDouble(), r.get(1).asDouble()};
    }

    /** A real mouse event at canvas coordinates (css px). */
    public void mouse(String type, double x, double y, Map<String, ?> extra) {
        double[] o = canvasOrigin();
        java.util.Map<String, Object> p = new java.util.HashMap<>(extra);
        p.put("type", type);
        p.put("x", o[0] + x);
        p.put("y", o[1] + y);
        devtools.call("Input.dispatchMouseEvent", p);
    }

    @Override
    public void close() {
        try {
            devtools.close();
        } finally {
            browser.close();
        }
    }
}
