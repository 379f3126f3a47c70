package dev.rewind.spi.projection.contract;

import dev.rewind.spi.projection.Checkpoint;
import dev.rewind.spi.projection.HistoryEntry;
import dev.rewind.spi.projection.ProjectionStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A projection store that hands every call to another: a test overrides the calls it stages (a checkpoint
 * saved by another instance at the moment of a load, a fenced write refused) and leaves the rest real.
 */
public abstract class ForwardingProjectionStore implements ProjectionStore {
    private final ProjectionStore delegate;

    /** @param delegate the store that does the work */
    protected ForwardingProjectionStore(ProjectionStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public Optional<Checkpoint> load(String name) {
        return delegate.load(name);
    }

    @Override
    public void save(Checkpoint checkpoint) {
        delegate.save(checkpoint);
    }

    @Override
    public void saveHistory(Checkpoint pastState) {
        delegate.saveHistory(pastState);
    }

    @Override
    public List<HistoryEntry> history(String name) {
        return delegate.history(name);
    }

    @Override
    public Optional<Checkpoint> loadHistory(String name, long position) {
        return delegate.loadHistory(name, position);
    }

    @Override
    public void deleteHistory(String name, long position) {
        delegate.deleteHistory(name, position);
    }

    @Override
    public void delete(String name) {
        delegate.delete(name);
    }

    @Override
    public boolean isReadOnly() {
        return delegate.isReadOnly();
    }
}
