package dev.rewind.storage.file;

import dev.rewind.storage.kernel.Progress;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background scrub ({@link FileStorage.Builder#scrubEvery}): one thread reads every acknowledged
 * record (length and checksum) and every block of every index file, pass after pass, with a pause
 * between passes. It reports what it finds at ERROR and in {@link FileStorage#lastScrub()}, and never
 * repairs: a damaged record is the operator's to restore, and a damaged index file is rebuilt, loudly,
 * by the look-up that next reads it.
 */
final class Scrub {
    private static final Logger LOG = LoggerFactory.getLogger(FileStorage.class);

    private final FileStorage storage;
    private final Duration pause;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread thread;
    private volatile VerifyReport last;
    private volatile boolean stopping;

    Scrub(FileStorage storage, Duration pause) {
        this.storage = storage;
        this.pause = pause;
        this.thread = new Thread(this::loop, "rewind-scrub " + storage.directory().getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    VerifyReport last() {
        return last;
    }

    void stop() {
        stopping = true;
        stop.countDown();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            do {
                last = pass();
                if (!last.problems().isEmpty()) {
                    for (String p : last.problems()) {
                        LOG.error("The scrub of {} found: {}", storage.directory(), p);
                    }
                }
            } while (!stopping && !stop.await(pause.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!stopping) {
                LOG.error("The scrub of {} stopped: {}", storage.directory(), e.toString());
            }
        }
    }

    /** One pass: the segments up to what is acknowledged now, then the index files named now. */
    private VerifyReport pass() {
        List<String> problems = new ArrayList<>();
        Segment[] segments = storage.access().segments();
        long head = storage.nextPosition();
        long bytes = 0;
        for (Segment s : segments) {
            bytes += s.readableEnd;
        }
        Progress progress = Progress.start("scrub " + storage.directory(), bytes, "bytes");
        long events = 0;
        for (int i = 0; i < segments.length && !stopping; i++) {
            Segment s = segments[i];
            long end = i + 1 < segments.length ? segments[i + 1].base : head;
            try {
                SegmentScanner.Result r = s.io(ch -> SegmentScanner.scan(ch, 0, s.base, 0, end, false,
                        (record, offset, batchEnd) -> { }));
                events += r.nextPosition() - s.base;
                if (r.nextPosition() < end) {
                    String what = r.problem() == null ? "the segment ends" : r.problem().detail();
                    problems.add("corrupt record in segment " + s.path + " at offset " + r.validEnd()
                            + " (global position " + r.nextPosition() + "): " + what);
                }
                progress.advance(s.readableEnd);
            } catch (IOException e) {
                if (stopping) {
                    break;
                }
                problems.add("segment " + s.path + " could not be read: " + e);
            }
        }
        for (Run r : storage.index().runs()) {
            if (stopping) {
                break;
            }
            try {
                r.checkAll();
            } catch (BlockFile.Damaged e) {
                problems.add("the " + e.getMessage() + "; the next look-up that reads it rebuilds it from the log");
            } catch (RuntimeException e) {
                if (!stopping) {
                    problems.add("index file " + r.path() + " could not be read: " + e);
                }
            }
        }
        progress.finish();
        return new VerifyReport(storage.directory(), segments.length, events, bytes,
                problems.isEmpty() ? VerifyReport.Outcome.SOUND : VerifyReport.Outcome.DAMAGED, problems, List.of());
    }
}
