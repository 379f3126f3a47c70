/**
 * The write side: the commands (imperative records) and the {@link dev.rewind.example.orders.command.Order}
 * aggregate that decides, against its state rebuilt from its own stream, which events they produce.
 * Queries never come here: they read projections.
 */
package dev.rewind.example.orders.command;
