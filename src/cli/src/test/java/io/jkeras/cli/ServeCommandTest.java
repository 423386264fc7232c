package io.jkeras.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class ServeCommandTest {
    /** Waits (the test's timeout guards it) until {@code text} holds {@code p} while the command still runs. */
    static Matcher await(Pattern p, StringWriter text, StringWriter err, Thread command) throws InterruptedException {
        Matcher m;
        while (!(m = p.matcher(text.toString())).find()) {
            assertThat(command.isAlive()).as(err.toString()).isTrue();
            Thread.sleep(20);
        }
        return m;
    }

    @Test
    void serveListensUnderTheGivenNamesAndStopsWhenInterrupted() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            StringWriter out = new StringWriter(), err = new StringWriter();
            AtomicInteger code = new AtomicInteger(-1);
            Thread t = new Thread(() -> code.set(Main.run(new String[]{"serve", "fixtures/keras3/lstm_default/model.h5",
                "fixtures/keras3/gru_default", "--name", "l", "--name", "g", "--port", "0"},
                    new PrintWriter(out, true), new PrintWriter(err, true))));
            t.start();
            Matcher m = await(Pattern.compile("serving l, g on http://127\\.0\\.0\\.1:(\\d+)"), out, err, t);
            HttpClient c = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + m.group(1);
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(base + "/v2/models/g")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"name\":\"g\"");
            t.interrupt();
            t.join();
            assertThat(code.get()).isZero();
            assertThat(err.toString()).isEmpty();
        });
    }

    @Test
    void watchReloadsAModelWhoseFileChanged(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Path file = dir.resolve("m.h5");
            java.nio.file.Files.copy(Path.of("fixtures/keras3/lstm_default/model.h5"), file);
            StringWriter out = new StringWriter(), err = new StringWriter();
            AtomicInteger code = new AtomicInteger(-1);
            Thread t = new Thread(() -> code.set(Main.run(new String[]{"serve", file.toString(), "--watch",
                "--port", "0"}, new PrintWriter(out, true), new PrintWriter(err, true))));
            t.start();
            Matcher m = await(Pattern.compile("serving m on http://127\\.0\\.0\\.1:(\\d+)"), out, err, t);
            String base = "http://127.0.0.1:" + m.group(1);
            Path next = dir.resolve("next.h5");
            java.nio.file.Files.copy(Path.of("fixtures/keras3/gru_default/model.h5"), next);
            java.nio.file.Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            await(Pattern.compile("reloaded m"), err, err, t);
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(base + "/v2/models/m")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).contains("\"name\":\"gru\"");
            t.interrupt();
            t.join();
            assertThat(code.get()).isZero();
        });
    }

    @Test
    void aModelIsNamedAfterItsFileWithoutTheExtension() {
        assertThat(ServeCommand.defaultName(Path.of("models/lstm.h5"))).isEqualTo("lstm");
        assertThat(ServeCommand.defaultName(Path.of("w/enc.weights.h5"))).isEqualTo("enc");
        assertThat(ServeCommand.defaultName(Path.of("fixtures/keras3/gru_default"))).isEqualTo("gru_default");
    }
}
