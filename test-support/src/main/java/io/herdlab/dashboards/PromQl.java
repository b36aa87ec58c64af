package io.herdlab.dashboards;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough PromQL reading to find the metric names an expression uses. */
public final class PromQl {

	private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");

	private static final Pattern MATCHERS = Pattern.compile("\\{[^{}]*}");

	private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*]");

	private static final Pattern GROUPING = Pattern
			.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)");

	private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");

	private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)");

	private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
			"group_right", "bool", "offset", "and", "or", "unless", "inf", "nan", "atan2");

	private PromQl() {
	}

	/** Metric names in a PromQL expression or a Grafana label_values(...) variable query. */
	public static Set<String> metricNames(String expression) {
		Set<String> names = new LinkedHashSet<>();
		Matcher labelValues = LABEL_VALUES.matcher(expression);
		if (labelValues.find()) {
			names.add(labelValues.group(1));
			return names;
		}
		String stripped = STRING.matcher(expression).replaceAll("\"\"");
		stripped = MATCHERS.matcher(stripped).replaceAll("");
		stripped = RANGE.matcher(stripped).replaceAll("");
		stripped = GROUPING.matcher(stripped).replaceAll(" ");
		Matcher identifier = IDENTIFIER.matcher(stripped);
		while (identifier.find()) {
			boolean isFunction = identifier.group(2) != null;
			String name = identifier.group(1);
			if (!isFunction && !KEYWORDS.contains(name.toLowerCase())) {
				names.add(name);
			}
		}
		return names;
	}

	/** The label names an expression aggregates by: {@code sum by (a, b) (...)} gives a and b. */
	public static Set<String> groupingLabels(String expression) {
		Set<String> labels = new LinkedHashSet<>();
		Matcher by = Pattern.compile("\\bby\\s*\\(([^()]*)\\)").matcher(expression);
		while (by.find()) {
			for (String label : by.group(1).split(",")) {
				if (!label.isBlank()) {
					labels.add(label.trim());
				}
			}
		}
		return labels;
	}

}
