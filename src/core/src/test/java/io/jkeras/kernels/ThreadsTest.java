package io.jkeras.kernels;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The one pool type: bounded, daemon, shared per count, and safe to nest. */
class ThreadsTest {
    @Test
    void aPoolRunsEveryChunkOnAtMostItsCountOfDaemonThreads() {
        Threads three = Threads.of(3);
        assertThat(Threads.of(3)).as("one pool per count").isSameAs(three);
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        boolean[] done = new boolean[40];
        Thread[] caller = new Thread[1];
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            caller[0] = Thread.currentThread();
            three.run(40, q -> {
                ran.add(Thread.currentThread());
                done[q] = true;
            });
        });
        for (boolean d : done) assertThat(d).isTrue();
        assertThat(ran).hasSizeLessThanOrEqualTo(3);
        for (Thread t : ran) {
            if (t != caller[0]) assertThat(t.isDaemon()).as(t.getName()).isTrue();
        }
    }

    @Test
    void aPoolOfOneRunsOnTheCallerAndCountsOutsideTheRangeAreRefused() {
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        Threads.of(1).run(5, q -> ran.add(Thread.currentThread()));
        assertThat(ran).as("the calling thread alone").containsOnly(Thread.currentThread());
        assertThatThrownBy(() -> Threads.of(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> Threads.of(Threads.MAX + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLentTaskRunsOnTheHelperThreadWhileTheCallerGoesOn() throws Exception {
        CountDownLatch callerWent = new CountDownLatch(1);
        CountDownLatch ran = new CountDownLatch(1);
        Thread[] on = new Thread[1];
        Threads.lend(() -> {
            on[0] = Thread.currentThread();
            try {
                // runs only once the caller has gone on without waiting for it
                assertThat(callerWent.await(10, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            ran.countDown();
        });
        callerWent.countDown();
        assertThat(ran.await(20, TimeUnit.SECONDS)).as("the lent task ran").isTrue();
        assertThat(on[0]).isNotSameAs(Thread.currentThread());
        assertThat(on[0].getName()).isEqualTo("jkeras-helper");
        assertThat(on[0].isDaemon()).isTrue();
    }

    @Test
    void nestedSplitsOnTheSamePoolFinish() {
        Threads two = Threads.of(2);
        int[] sums = new int[6];
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> two.run(6, q -> two.run(4, r -> {
            synchronized (sums) {
                sums[q] += r + 1;
            }
        })));
        assertThat(sums).containsOnly(10);
    }
}
