package dev.rewind.internal.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rewind.StoredEvent;
import dev.rewind.command.bank.Account;
import dev.rewind.command.bank.Bank;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.OpenAccount;
import dev.rewind.storage.memory.InMemorySnapshotStorage;
import dev.rewind.storage.memory.InMemoryStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConcurrentCommandsTest {

    @Test
    void writers_racing_on_one_aggregate_all_succeed_through_retries_and_no_deposit_is_lost() throws Exception {
        InMemorySnapshotStorage snapshots = new InMemorySnapshotStorage();
        Bank bank = Bank.on(new InMemoryStorage(), snapshots, 7, 10_000);
        bank.gateway().send(new OpenAccount("1", "ada"));
        int threads = 4;
        int perThread = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> attempts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            attempts.add(pool.submit(() -> {
                start.await();
                int sum = 0;
                for (int i = 0; i < perThread; i++) {
                    sum += bank.gateway().send(new Deposit("1", 1)).attempts();
                }
                return sum;
            }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> f : attempts) {
            total += f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        List<StoredEvent<?>> stream = bank.store().readStream("account-1", 0);
        assertThat(stream).hasSize(1 + threads * perThread);
        assertThat(total).isGreaterThanOrEqualTo(threads * perThread);
        AggregateModel<Account> model = TestModels.inspect(Account.class);
        assertThat(new AggregateLoader(bank.store(), snapshots, 7).load(model, "account-1").aggregate().balance())
                .isEqualTo(new AggregateLoader(bank.store(), null, 0).load(model, "account-1").aggregate().balance())
                .isEqualTo(threads * perThread);
        bank.rewind().close();
    }
}
