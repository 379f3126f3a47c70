/**
 * The order domain's events: immutable, past-tense records, each annotated with its logical name and
 * current schema version. They are facts: once stored, never changed; a new schema version is a new
 * shape of the record plus an upcaster for the old one (see {@code dev.rewind.example.orders.upcasting}).
 */
package dev.rewind.example.orders.domain;
