package io.jkeras.plot;

import io.jkeras.exceptions.JKerasException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The loss chart: valid SVG with one polyline per series, a PNG of the requested size with the curves drawn. */
class LossPlotTest {
    @TempDir
    Path tmp;

    static Map<String, List<Double>> history(int epochs) {
        Map<String, List<Double>> h = new LinkedHashMap<>();
        List<Double> loss = new ArrayList<>(), val = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            loss.add(1.0 / (1 + e) + 0.05);
            val.add(1.2 / (1 + 0.7 * e) + 0.1);
        }
        h.put("loss", loss);
        h.put("val_loss", val);
        return h;
    }

    static Document parse(Path p) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(p.toFile());
    }

    @Test
    void svgIsValidXmlWithOnePolylinePerSeriesAndOnePointPerEpoch() throws Exception {
        Path p = tmp.resolve("loss.svg");
        LossPlot.write(p, history(7), "Training <loss> & \"val\"", 640, 400);
        Document d = parse(p);
        Element root = d.getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("svg");
        assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        assertThat(root.getAttribute("width")).isEqualTo("640");
        assertThat(root.getAttribute("height")).isEqualTo("400");
        NodeList lines = d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline");
        assertThat(lines.getLength()).isEqualTo(2);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < lines.getLength(); i++) {
            Element pl = (Element) lines.item(i);
            names.add(pl.getAttribute("data-name"));
            String[] pts = pl.getAttribute("points").trim().split("\\s+");
            assertThat(pts).hasSize(7);
            double prevX = -1;
            for (String pt : pts) {
                double[] xy = Arrays.stream(pt.split(",")).mapToDouble(Double::parseDouble).toArray();
                assertThat(xy[0]).isBetween(0.0, 640.0).isGreaterThan(prevX);
                assertThat(xy[1]).isBetween(0.0, 400.0);
                prevX = xy[0];
            }
        }
        assertThat(names).containsExactly("loss", "val_loss");
        String text = d.getDocumentElement().getTextContent();
        assertThat(text).contains("epoch", "loss", "val_loss", "Training <loss> & \"val\"");
    }

    @Test
    void svgLossDecreasingMeansPolylineGoesDown() throws Exception {
        String svg = LossPlot.svg(history(5), "t", 800, 500);
        String pts = svg.replaceAll("(?s).*?<polyline[^>]*data-name=\"loss\"[^>]*points=\"([^\"]*)\".*", "$1");
        String[] p = pts.split(" ");
        double y0 = Double.parseDouble(p[0].split(",")[1]), y4 = Double.parseDouble(p[4].split(",")[1]);
        assertThat(y4).as("lower loss is drawn lower (larger y)").isGreaterThan(y0);
    }

    @Test
    void pngDecodesAtRequestedSizeWithTheCurvesDrawn() throws Exception {
        Path p = tmp.resolve("loss.png");
        Map<String, List<Double>> h = history(10);
        LossPlot.write(p, h, "Training loss", 720, 450);
        BufferedImage img = ImageIO.read(p.toFile());
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isEqualTo(720);
        assertThat(img.getHeight()).isEqualTo(450);
        // the SVG shares the layout: its polyline points are where the PNG draws the curves
        String svg = LossPlot.svg(h, "Training loss", 720, 450);
        for (String series : new String[]{"loss", "val_loss"}) {
            String pts = svg.replaceAll("(?s).*?<polyline[^>]*data-name=\"" + series + "\"[^>]*points=\"([^\"]*)\".*",
                    "$1");
            int hits = 0;
            String[] ps = pts.split(" ");
            for (String pt : ps) {
                int x = (int) Math.round(Double.parseDouble(pt.split(",")[0]));
                int y = (int) Math.round(Double.parseDouble(pt.split(",")[1]));
                if (nonBackgroundNear(img, x, y, 2)) hits++;
            }
            assertThat(hits).as(series + " points drawn").isEqualTo(ps.length);
        }
        // both series colours appear
        assertThat(countColour(img, 0x1f77b4)).isGreaterThan(50);
        assertThat(countColour(img, 0xff7f0e)).isGreaterThan(50);
    }

    static boolean nonBackgroundNear(BufferedImage img, int x, int y, int r) {
        for (int dx = -r; dx <= r; dx++)
            for (int dy = -r; dy <= r; dy++) {
                int px = x + dx, py = y + dy;
                if (px < 0 || py < 0 || px >= img.getWidth() || py >= img.getHeight()) continue;
                if ((img.getRGB(px, py) & 0xffffff) != 0xffffff) return true;
            }
        return false;
    }

    static int countColour(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++)
                if ((img.getRGB(x, y) & 0xffffff) == rgb) n++;
        return n;
    }

    @Test
    void oneEpochFlatAndNonFiniteValuesStillPlot() throws Exception {
        Map<String, List<Double>> one = new LinkedHashMap<>();
        one.put("loss", List.of(0.5));
        assertThat(LossPlot.svg(one, "t", 400, 300)).contains("<polyline", "<circle");
        Map<String, List<Double>> flat = new LinkedHashMap<>();
        flat.put("loss", List.of(0.0, 0.0, 0.0));
        assertThat(LossPlot.png(flat, "t", 400, 300).getWidth()).isEqualTo(400);
        Map<String, List<Double>> nan = new LinkedHashMap<>();
        nan.put("loss", List.of(1.0, 0.5, Double.NaN, 0.2, 0.1));
        Path p = tmp.resolve("nan.svg");
        LossPlot.write(p, nan, "t", 400, 300);
        assertThat(parse(p).getElementsByTagNameNS("http://www.w3.org/2000/svg", "polyline").getLength()).isEqualTo(2);
    }

    @Test
    void refusesUnknownExtensionAndTinySize() {
        assertThatThrownBy(() -> LossPlot.write(tmp.resolve("loss.jpg"), history(3), "t"))
                .isInstanceOf(JKerasException.class).hasMessageContaining(".png or .svg");
        assertThatThrownBy(() -> LossPlot.svg(history(3), "t", 50, 50)).isInstanceOf(JKerasException.class);
        assertThat(Files.exists(tmp.resolve("loss.jpg"))).isFalse();
    }

    @Test
    void niceTickSteps() {
        assertThat(LossPlot.niceStep(0.13)).isEqualTo(0.2);
        assertThat(LossPlot.niceStep(3.1)).isEqualTo(5.0);
        assertThat(LossPlot.niceStep(0.0021)).isEqualTo(0.0025);
        assertThat(LossPlot.formatOf(Path.of("A.PNG"))).isEqualTo(LossPlot.Format.PNG);
        assertThat(LossPlot.formatOf(Path.of("a.svg"))).isEqualTo(LossPlot.Format.SVG);
        assertThat(LossPlot.formatOf(Path.of("a.txt"))).isNull();
    }
}
