package io.drover.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.api.ResourceMath;
import io.drover.api.codec.Codecs;
import io.drover.api.protocol.AgentAdded;
import io.drover.api.protocol.MasterLogRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a batch becomes master-log records, without a broker. */
class MasterLogTest {
    private final MasterLog log = new MasterLog(MasterConfig.defaults("unused:1", Path.of("unused")), new ManualClock(1));

    @Test
    void aBigBatchIsSplitIntoBoundedRecordsInOrderWithThePositionsOnTheLast() {
        List<Object> events = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            events.add(AgentAdded.newBuilder().setAgentId("agent-" + i).setHostname("h".repeat(500))
                    .setTotal(ResourceMath.of(1, 1, 1, 0)).setCommandPartition(0).setRegisteredAtMs(1).build());
        }
        List<MasterLogRecord> records = log.records(7, events, Map.of("drover.calls:0", 42L));
        assertTrue(records.size() > 1, "1.5 MB of events need several records");
        List<Object> joined = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            MasterLogRecord r = records.get(i);
            assertTrue(Codecs.MASTER_LOG_RECORD.encode(r).length <= MasterLog.MAX_LOG_RECORD_BYTES + 1024, "record " + i);
            assertEquals(7, r.getHeader().getMasterEpoch());
            assertEquals(i == records.size() - 1 ? Map.of("drover.calls:0", 42L) : Map.of(), r.getInputPositions());
            joined.addAll(r.getEvents());
        }
        assertEquals(events, joined);
    }

    @Test
    void aSmallBatchIsOneRecord() {
        List<MasterLogRecord> records = log.records(1, List.of(), Map.of("drover.agents:0", 3L));
        assertEquals(1, records.size());
        assertEquals(Map.of("drover.agents:0", 3L), records.get(0).getInputPositions());
    }
}
