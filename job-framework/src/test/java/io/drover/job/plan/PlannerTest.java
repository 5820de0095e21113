package io.drover.job.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.connectors.text.TextLineSource;
import io.drover.connectors.text.TextSourceConfig;
import io.drover.job.api.Dataset;
import io.drover.job.api.KeyedDataset;
import io.drover.job.builtin.BuiltinJobs;
import io.drover.job.serde.Serdes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlannerTest {

    @TempDir
    Path dir;

    private Path files(int n) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        for (int i = 0; i < n; i++) {
            Files.writeString(in.resolve("f" + i), "a b\nc\n");
        }
        return in;
    }

    @Test
    void stagesAreCutAtShufflesWithPartitionsFromTheInput() throws Exception {
        Path in = files(3);
        JobPlan plan = BuiltinJobs.wordCount(in.toString(), dir.resolve("out").toString())
                .plan("wc", PlanOptions.defaults());
        assertEquals(2, plan.stages().size());
        assertEquals(3, plan.stage(0).partitions(), "one task per split, one split per small file");
        assertInstanceOf(StageOutput.Shuffle.class, plan.stage(0).output());
        assertEquals(3, ((StageOutput.Shuffle) plan.stage(0).output()).reducePartitions());
        assertEquals(List.of(0), plan.stage(1).parents());
        assertInstanceOf(StageOutput.ToSink.class, plan.finalStage().output());

        JobPlan fixed = BuiltinJobs.wordCount(in.toString(), dir.resolve("out").toString())
                .plan("wc", PlanOptions.defaults().withPartitions(7));
        assertEquals(7, fixed.stage(1).partitions());
    }

    @Test
    void aSortGetsASampleStageAndAJoinTwoMapStages() throws Exception {
        Path in = files(2);
        JobPlan sort = BuiltinJobs.sort(in.toString(), dir.resolve("o").toString()).plan("s", PlanOptions.defaults());
        assertEquals(3, sort.stages().size());
        assertInstanceOf(StageOutput.Sample.class, sort.stage(0).output());
        assertEquals(0, ((StageOutput.Shuffle) sort.stage(1).output()).sampleStage());
        assertEquals(List.of(0), sort.stage(1).parents());

        JobPlan join = BuiltinJobs.join(in.toString(), in.toString(), ' ', dir.resolve("j").toString())
                .plan("j", PlanOptions.defaults());
        assertEquals(List.of(0, 1), join.finalStage().parents());
        assertTrue(join.finalStage().description().startsWith("join of stages 0 and 1"));
    }

    @Test
    void aPlanSurvivesSerialization() throws Exception {
        Path in = files(2);
        String path = in.toString();
        KeyedDataset<String, Long> pairs = Dataset.read(() -> new TextLineSource(TextSourceConfig.of(path)))
                .mapToPair(s -> io.drover.job.api.Pair.of(s, 1L), Serdes.string(), Serdes.longs());
        JobPlan plan = pairs.reduceByKey(Long::sum).collect().plan("p", PlanOptions.defaults());
        JobPlan back = JobPlan.fromBytes(plan.toBytes(), getClass().getClassLoader());
        assertEquals(plan.stages().size(), back.stages().size());
        assertEquals(plan.stage(0).description(), back.stage(0).description());
    }

    @Test
    void emptyInputPlansZeroMapTasksAndOneReducer() throws Exception {
        Path in = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(in.resolve("f"), "");
        JobPlan plan = BuiltinJobs.wordCount(in.toString(), dir.resolve("o").toString())
                .plan("e", PlanOptions.defaults());
        assertEquals(0, plan.stage(0).partitions());
        assertEquals(1, plan.stage(1).partitions());
    }
}
