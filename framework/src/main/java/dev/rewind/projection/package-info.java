/**
 * The projection runtime's public types: how a runner is run ({@link dev.rewind.projection.ProjectionSettings},
 * {@link dev.rewind.projection.FailurePolicy}), where a query reads ({@link dev.rewind.projection.ReadPoint}),
 * parked events and the decisions about them, and what {@code verify} reports. The runtime itself is
 * reached through {@link dev.rewind.Projections}.
 */
package dev.rewind.projection;
