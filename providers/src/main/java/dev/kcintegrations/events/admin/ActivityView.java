package dev.kcintegrations.events.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kcintegrations.events.store.DeliveryQueries;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A subscription's recent deliveries for a chart: equal buckets of capture time, oldest first, every bucket
 * present (empty ones as zeros) so that a gap reads as "nothing happened", not as missing data.
 */
record ActivityView(int bucketSeconds, List<Bucket> buckets) {

    /** {@code meanDeliveryMillis}: from queued (captured, or queued again) to delivered, of those delivered; absent when none was. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Bucket(String start, long delivered, long failed, long pending, Long meanDeliveryMillis) {
    }

    static ActivityView of(long fromMillis, long bucketMillis, int bucketCount, List<DeliveryQueries.ActivityCount> counts) {
        List<Bucket> buckets = new ArrayList<>(bucketCount);
        for (int i = 0; i < bucketCount; i++) {
            long start = fromMillis + i * bucketMillis;
            long delivered = 0;
            long failed = 0;
            long pending = 0;
            Long meanDelivery = null;
            for (DeliveryQueries.ActivityCount count : counts) {
                if (count.bucketStart() != start) {
                    continue;
                }
                switch (count.status()) {
                    case DELIVERED -> {
                        delivered += count.count();
                        meanDelivery = count.meanFinishMillis();
                    }
                    case PENDING -> pending += count.count();
                    case REJECTED, PARKED, CANCELLED -> failed += count.count();
                }
            }
            buckets.add(new Bucket(Instant.ofEpochMilli(start).toString(), delivered, failed, pending, meanDelivery));
        }
        return new ActivityView((int) (bucketMillis / 1000), buckets);
    }
}
