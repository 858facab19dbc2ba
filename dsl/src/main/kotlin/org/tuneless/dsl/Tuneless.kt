package org.tuneless.dsl

/** Marks the Tuneless DSL builders so that an inner block cannot reach an outer builder by accident. */
@DslMarker
annotation class TunelessDsl
