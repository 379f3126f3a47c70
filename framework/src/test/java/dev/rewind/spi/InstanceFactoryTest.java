package dev.rewind.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rewind.ExpectedVersion;
import dev.rewind.RawEvent;
import dev.rewind.Rewind;
import dev.rewind.command.bank.ChargeFee;
import dev.rewind.command.bank.Deposit;
import dev.rewind.command.bank.FeeCharged;
import dev.rewind.command.bank.FeeService;
import dev.rewind.command.bank.OpenAccount;
import dev.rewind.projection.ReadPoint;
import dev.rewind.spi.factory.NoteBook;
import dev.rewind.spi.factory.Noted;
import dev.rewind.spi.factory.NotedV1ToV2;
import dev.rewind.storage.memory.InMemoryStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The instance-factory SPI: what Rewind finds (projections, scanned upcasters, scanned services) is
 * created by the application's factory, a fresh projection instance at every rebuild, and a factory
 * that fails stops start-up naming the class.
 */
class InstanceFactoryTest {
    private static final String PACKAGE = "dev.rewind.spi.factory";

    /** Passes a constructor argument, as a container would inject a bean, and records what it was asked. */
    private static final class Injecting implements InstanceFactory {
        final List<Class<?>> asked = new ArrayList<>();
        final AtomicInteger notebooks = new AtomicInteger();

        @Override
        public synchronized <T> T create(Class<T> type) {
            asked.add(type);
            if (type == NoteBook.class) {
                return type.cast(new NoteBook("#" + notebooks.incrementAndGet() + " "));
            }
            if (type == NotedV1ToV2.class) {
                return type.cast(new NotedV1ToV2("anonymous"));
            }
            if (type == FeeService.class) {
                return type.cast(new FeeService(5));
            }
            return InstanceFactory.noArgConstructor().create(type);
        }

        @Override
        public String toString() {
            return "the test's factory";
        }
    }

    private static Rewind.Builder builder(InstanceFactory factory) {
        return Rewind.builder().discoverPlugins(false).storage(new InMemoryStorage()).scanPackages(PACKAGE)
                .instanceFactory(factory);
    }

    @Test
    void a_projection_and_an_upcaster_get_their_constructor_arguments_from_the_factory() {
        Injecting factory = new Injecting();
        try (Rewind rewind = builder(factory).build()) {
            rewind.store().appendRaw("n", ExpectedVersion.noStream(),
                    List.of(RawEvent.of("FactoryNoted", 1, "{\"text\":\"old\"}")));
            long last = rewind.store().append("n", ExpectedVersion.any(), List.of(new Noted("new", "ann")))
                    .lastPosition();

            List<String> lines = rewind.projections().query(NoteBook.class, ReadPoint.atLeast(last), NoteBook::lines);
            assertThat(lines).as("the prefix came from the factory, the author of the v1 event from the upcaster's")
                    .containsExactly("#1 old (anonymous)", "#1 new (ann)");
            assertThat(factory.asked).contains(NoteBook.class, NotedV1ToV2.class);
        }
    }

    @Test
    void a_rebuild_asks_the_factory_for_a_fresh_instance() {
        Injecting factory = new Injecting();
        try (Rewind rewind = builder(factory).build()) {
            long last = rewind.store().append("n", ExpectedVersion.noStream(), List.of(new Noted("a", "ann")))
                    .lastPosition();
            int before = factory.notebooks.get();

            rewind.projections().rebuild("note_book");

            assertThat(factory.notebooks.get()).as("instances asked for by the rebuild").isGreaterThan(before);
            NoteBook now = rewind.projections().query(NoteBook.class, ReadPoint.atLeast(last), v -> v);
            assertThat(now.prefix()).as("the rebuilt instance is a new one").isNotEqualTo("#" + before + " ");
            assertThat(now.lines()).containsExactly(now.prefix() + "a (ann)");
        }
    }

    @Test
    void without_a_factory_a_projection_needs_its_no_argument_constructor() {
        assertThatThrownBy(() -> Rewind.builder().discoverPlugins(false).storage(new InMemoryStorage())
                .eventTypes(Noted.class).upcaster("FactoryNoted", 1, json -> json).projection(NoteBook.class).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("@Projection class " + NoteBook.class.getName() + " has no no-argument constructor");
    }

    @Test
    void a_factory_that_throws_for_a_projection_stops_start_up_naming_the_class() {
        Injecting injecting = new Injecting();
        InstanceFactory failing = new InstanceFactory() {
            @Override
            public <T> T create(Class<T> type) {
                if (type == NoteBook.class) {
                    throw new IllegalArgumentException("no bean of type String");
                }
                return injecting.create(type);
            }

            @Override
            public String toString() {
                return "the failing factory";
            }
        };
        assertThatThrownBy(() -> builder(failing).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot create projection 'note_book': the instance factory (the failing factory) failed to"
                        + " create " + NoteBook.class.getName() + ": java.lang.IllegalArgumentException: no bean of type String")
                .hasRootCauseMessage("no bean of type String");
    }

    @Test
    void a_factory_that_throws_for_an_upcaster_or_returns_null_stops_start_up_naming_the_class() {
        assertThatThrownBy(() -> builder(new InstanceFactory() {
            @Override
            public <T> T create(Class<T> type) {
                throw new IllegalStateException("not today");
            }

            @Override
            public String toString() {
                return "the refusing factory";
            }
        }).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("@Upcaster class " + NotedV1ToV2.class.getName() + " cannot be created: the instance factory"
                        + " (the refusing factory) failed: java.lang.IllegalStateException: not today");

        Injecting injecting = new Injecting();
        assertThatThrownBy(() -> builder(new InstanceFactory() {
            @Override
            public <T> T create(Class<T> type) {
                return type == NoteBook.class ? null : injecting.create(type);
            }

            @Override
            public String toString() {
                return "the null factory";
            }
        }).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot create projection 'note_book': the instance factory (the null factory) returned null"
                        + " for " + NoteBook.class.getName() + ": it must return a new instance of that class");
    }

    @Test
    void a_scanned_service_nobody_registered_is_created_by_the_factory() {
        try (Rewind rewind = Rewind.builder().discoverPlugins(false).storage(new InMemoryStorage())
                .scanPackages("dev.rewind.command.bank").instanceFactory(new Injecting()).build()) {
            rewind.commands().send(new OpenAccount("1", "ada"));
            rewind.commands().send(new Deposit("1", 10));
            assertThat(rewind.commands().send(new ChargeFee("1", "monthly")).payloads())
                    .containsExactly(new FeeCharged("1", 5));
        }
    }

    @Test
    void the_default_factory_calls_a_package_private_constructor_and_names_the_class_when_there_is_none() {
        assertThat(InstanceFactory.noArgConstructor().create(StringBuilder.class)).isNotNull();
        assertThatThrownBy(() -> InstanceFactory.noArgConstructor().create(NoteBook.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot call the no-argument constructor of " + NoteBook.class.getName());
    }
}
