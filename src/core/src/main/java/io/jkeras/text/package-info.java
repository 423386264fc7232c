/**
 * Text for people: escaping what a terminal would interpret ({@link io.jkeras.text.Printable}) and
 * explaining file names the JVM cannot encode ({@link io.jkeras.text.PathNames}). A leaf: it imports
 * nothing of jkeras, so that the exceptions and every other package may use it.
 */
package io.jkeras.text;
