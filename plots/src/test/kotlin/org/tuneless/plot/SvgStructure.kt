package org.tuneless.plot

import java.io.StringReader
import javax.xml.parsers.DocumentBuilderFactory
import org.w3c.dom.Element
import org.xml.sax.InputSource

/** One plot of a rendered SVG as a reader sees it: title, y-axis label and tick labels, and the colours of its marks. */
data class SvgPanel(val title: String, val yLabel: String, val yTicks: List<String>, val colours: Set<String>)

/**
 * The plots of a Lets-Plot SVG (a grid renders each plot as a nested `<svg>`), read with an XML parser: what the golden
 * chart tests compare, independent of the random element ids Lets-Plot writes.
 */
fun svgPanels(svg: String): List<SvgPanel> {
    val doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(InputSource(StringReader(svg)))
    val svgs = doc.getElementsByTagName("svg").let { l -> (0 until l.length).map { l.item(it) as Element } }
    return svgs.filter { s -> texts(s, "plot-title").isNotEmpty() && svgsIn(s).none { texts(it, "plot-title").isNotEmpty() } }.map { s ->
        SvgPanel(texts(s, "plot-title").first(), texts(s, "axis-title-y").firstOrNull() ?: "", texts(s, "axis-text-y"), colours(s))
    }
}

private fun svgsIn(e: Element): List<Element> = e.getElementsByTagName("svg").let { l -> (0 until l.length).map { l.item(it) as Element } }

private fun texts(e: Element, cls: String): List<String> = e.getElementsByTagName("text").let { l ->
    (0 until l.length).map { l.item(it) as Element }.filter { it.getAttribute("class") == cls }.map { it.textContent.trim() }
}

/** Every stroke and fill colour of the marks in [e], as `#rrggbb`. */
private fun colours(e: Element): Set<String> {
    val out = sortedSetOf<String>()
    for (tag in listOf("path", "line", "circle", "polyline", "rect")) {
        val l = e.getElementsByTagName(tag)
        for (i in 0 until l.length) {
            val el = l.item(i) as Element
            for (attr in listOf("stroke", "fill")) normalize(el.getAttribute(attr))?.let { out += it }
        }
    }
    return out
}

private fun normalize(c: String): String? {
    if (c.startsWith("#") && c.length == 7) return c.lowercase()
    val m = Regex("rgb\\((\\d+),\\s*(\\d+),\\s*(\\d+)\\)").matchEntire(c) ?: return null
    return "#%02x%02x%02x".format(m.groupValues[1].toInt(), m.groupValues[2].toInt(), m.groupValues[3].toInt())
}
