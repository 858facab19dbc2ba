package org.tuneless.plot

/** The text labels of an SVG chart (titles, axis names, legend entries, tick labels): what a reader of the chart sees. */
fun svgTexts(svg: String): Set<String> =
    Regex("<text[^>]*>\\s*(.*?)\\s*</text>", RegexOption.DOT_MATCHES_ALL).findAll(svg).map { it.groupValues[1].trim() }.toSet()
