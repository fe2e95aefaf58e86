#!/usr/bin/env python3
"""Parses an SVG written by `rankflow render --svg` (it must be well-formed XML) and prints a
JSON summary per chart group: polylines (their point counts), lines, rects, circles, texts."""
import json
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
if root.tag != NS + "svg":
    sys.exit("not an SVG root: " + root.tag)
charts = {}
for group in root.iter(NS + "g"):
    if group.get("class") != "chart":
        continue
    charts[group.get("id")] = {
        "polylines": [len(p.get("points").split()) for p in group.findall(NS + "polyline")],
        "lines": len(group.findall(NS + "line")),
        "rects": len(group.findall(NS + "rect")),
        "circles": len(group.findall(NS + "circle")),
        "texts": [t.text for t in group.findall(NS + "text")],
    }
print(json.dumps({"width": float(root.get("width")), "height": float(root.get("height")), "charts": charts,
                  "images": len(list(root.iter(NS + "image")))}))
