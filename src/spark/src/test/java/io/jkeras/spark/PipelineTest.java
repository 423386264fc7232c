package io.jkeras.spark;

import io.jkeras.fixtures.FixtureCase;
import io.jkeras.model.Model;
import io.jkeras.tensor.Tensor;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Transformer as a pipeline stage: saved and loaded with its pipeline, and its model loaded once per JVM. */
class PipelineTest {
    static final FixtureCase C = JKerasModelTest.fixture("lstm_return_sequences");

    static Dataset<Row> frame() {
        return SparkTests.frame(new Tensor[]{C.x(0, 0)}, new String[]{"seq"}, new boolean[]{false}, 2);
    }

    @Test
    void savesAndLoadsWithItsPipelineAndScoresAlike(@TempDir Path dir) throws Exception {
        JKerasModel stage = new JKerasModel().setModelPath(JKerasModelTest.path(C)).setInputCol("seq")
                .setOutputCol("h").setBatchSize(1).setThreadsPerTask(2).setFlatOutputs(true);
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[]{stage}).fit(frame());
        String where = dir.resolve("pipeline").toString();
        fitted.write().save(where);
        PipelineModel loaded = PipelineModel.load(where);

        JKerasModel back = (JKerasModel) loaded.stages()[0];
        assertThat(back.uid()).isEqualTo(stage.uid());
        assertThat(back.getOrDefault(back.modelPath())).isEqualTo(JKerasModelTest.path(C));
        assertThat(back.getOrDefault(back.inputCol())).isEqualTo("seq");
        assertThat(back.getOrDefault(back.threadsPerTask())).isEqualTo(2);
        assertThat(back.getOrDefault(back.flatOutputs())).isEqualTo(true);
        List<Row> before = SparkTests.byId(fitted.transform(frame()));
        List<Row> after = SparkTests.byId(loaded.transform(frame()));
        Model m = C.load();
        Tensor x = C.x(0, 0);
        assertThat(after).hasSize(x.dim(0));
        for (int k = 0; k < x.dim(0); k++) {
            float[] alone = m.predict(JKerasModelTest.slice(x, k))[0].data();
            assertThat(SparkTests.flat(after, "h").get(k)).as("row " + k).containsExactly(alone);
            assertThat(SparkTests.flat(before, "h").get(k)).as("row " + k).containsExactly(alone);
        }
        // flat: array<float> of T × units, where the nested form would be array<array<float>>
        assertThat(loaded.transform(frame()).schema().apply("h").dataType().simpleString()).isEqualTo("array<float>");
    }

    @Test
    void savesAndLoadsAlone(@TempDir Path dir) throws Exception {
        JKerasModel t = new JKerasModel().setModelPath(JKerasModelTest.path(C)).setBadRows(BadRowPolicy.NULL)
                .setErrorCol("why");
        t.save(dir.resolve("t").toString());
        JKerasModel back = JKerasModel.load(dir.resolve("t").toString());
        assertThat(back.getOrDefault(back.badRows())).isEqualTo("null");
        assertThat(back.setInputCol("seq").transform(frame()).schema().fieldNames())
                .containsExactly("id", "seq", "y", "why");
    }

    @Test
    void aModelFileIsLoadedOncePerJvmWhateverTheTransformers() {
        new JKerasModel().setModelPath(JKerasModelTest.path(C)).setInputCol("seq").transform(frame()).count();
        int loads = ModelBytes.loadsInThisJvm();
        for (int i = 0; i < 2; i++) {
            new JKerasModel().setModelPath(JKerasModelTest.path(C)).setInputCol("seq").setBatchSize(2)
                    .transform(frame()).collectAsList();
        }
        assertThat(ModelBytes.loadsInThisJvm()).isEqualTo(loads);
    }
}
