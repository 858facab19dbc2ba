package org.tuneless.jupyter

import java.time.ZoneOffset
import java.time.ZonedDateTime
import java.time.format.DateTimeFormatter
import java.util.UUID
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import org.jetbrains.kotlinx.jupyter.api.Notebook
import org.jetbrains.kotlinx.jupyter.api.libraries.JupyterSocketType
import org.jetbrains.kotlinx.jupyter.api.libraries.RawMessage

/**
 * Display updates that reach the cell showing the display. The Kotlin kernel 0.11 sends `update_display_data` with an
 * empty parent header, and Jupyter clients route IOPub output by its parent (the execute request of a cell), so they
 * drop it: a progress display stays at its first state. Here the update is sent on the IOPub socket with the parent
 * of the executing cell — the kernel's context message, read (by reflection: it is not in the kernel's public API)
 * while the cell runs.
 */
internal object KernelMessages {

    /** The execute request the kernel is processing, or null when the connection does not expose it (tests, other kernels). */
    fun contextMessage(notebook: Notebook): RawMessage? = try {
        val connection = notebook.connection
        connection.javaClass.getMethod("getContextMessage").invoke(connection) as? RawMessage
    } catch (e: ReflectiveOperationException) {
        null
    } catch (e: RuntimeException) {
        null
    }

    /** Sends `update_display_data` for [displayId] with [html], as a child of [parent]. */
    fun updateDisplay(notebook: Notebook, parent: RawMessage, displayId: String, html: String) {
        val header = JsonObject(linkedMapOf(
            "msg_id" to JsonPrimitive(UUID.randomUUID().toString()),
            "session" to (parent.header["session"] ?: JsonPrimitive("")),
            "username" to (parent.header["username"] ?: JsonPrimitive("kernel")),
            "date" to JsonPrimitive(ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)),
            "msg_type" to JsonPrimitive("update_display_data"),
            "version" to JsonPrimitive("5.3"),
        ))
        val content = JsonObject(linkedMapOf(
            "data" to JsonObject(mapOf("text/html" to JsonPrimitive(html))),
            "metadata" to JsonObject(emptyMap()),
            "transient" to JsonObject(mapOf("display_id" to JsonPrimitive(displayId))),
        ))
        notebook.connection.send(JupyterSocketType.IOPUB, Message(parent.id, header, parent.header, JsonObject(emptyMap()), content))
    }

    private class Message(
        override val id: List<ByteArray>, override val header: JsonObject, override val parentHeader: JsonObject?,
        override val metadata: JsonObject?, override val content: JsonElement,
    ) : RawMessage
}
