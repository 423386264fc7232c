package io.jkeras.layers;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * The native format's layer types, without a table: a layer's type string is the simple name of
 * its class, and a type string is decoded by that class's static {@code decode(LayerDecoder)}. Only
 * the concrete classes the sealed {@link Layer} hierarchy permits are types, so a file can name no
 * other class; type strings are part of the file format, so a layer class is never renamed (the
 * frozen files of {@code fixtures/native} would stop decoding).
 *
 * <p>Decoding loads the classes of the file's own layers and no others (a fresh JVM pays for each
 * class it loads; {@code Class.getPermittedSubclasses} would load all of them): the type string
 * must be a plain identifier, the class of that name in this package is loaded without being
 * initialised, and it is a type only if it is a concrete subtype of {@link Layer}, which the JVM
 * allows only for the classes {@code Layer} (and the sealed {@link Recurrent}) permit. A hostile
 * type string can therefore at most make this package's class of that name load; none of its code
 * runs before it has passed the check.
 */
public final class LayerTypes {
    private static final String PACKAGE = "io.jkeras.layers.";
    /** Longer type strings are refused before any lookup. */
    private static final int MAX_LENGTH = 64;
    private static final MethodType DECODE = MethodType.methodType(Layer.class, LayerDecoder.class);

    private LayerTypes() {}

    /** The type string of {@code layer}: its class's simple name. */
    public static String of(Layer layer) {
        String n = layer.getClass().getName();
        return n.substring(n.lastIndexOf('.') + 1);
    }

    /** The layer class of type string {@code type}, or null when it names none. */
    public static Class<? extends Layer> classOf(String type) {
        if (!isIdentifier(type)) return null;
        Class<?> c;
        try {
            c = Class.forName(PACKAGE.concat(type), false, LayerTypes.class.getClassLoader()); // no indy concat
        } catch (ClassNotFoundException | LinkageError e) { // LinkageError: a name differing in case only, on some
            return null;                                      // file systems
        }
        if (!Layer.class.isAssignableFrom(c) || c.isInterface() || Modifier.isAbstract(c.getModifiers())) return null;
        return c.asSubclass(Layer.class);
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty() || s.length() > MAX_LENGTH || !Character.isUpperCase(s.charAt(0))) return false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9')) return false;
        }
        return true;
    }

    /**
     * Rebuilds a layer of class {@code c} (from {@link #classOf}) with its static
     * {@code decode(LayerDecoder)}.
     *
     * @throws IllegalStateException when the class has no such method (a bug: {@code EveryLayerClassTest})
     */
    public static Layer decode(Class<? extends Layer> c, LayerDecoder d) {
        MethodHandle decode;
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            lookup.ensureInitialized(c);
            decode = lookup.findStatic(c, "decode", DECODE);
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException(c.getName() + " has no static decode(LayerDecoder) returning Layer", e);
        }
        try {
            return (Layer) decode.invokeExact(d);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every type string, in the order of the {@code permits} clauses (sealed intermediate classes
     * followed). Loads every layer class: for messages and tests, not for decoding.
     */
    public static List<String> all() {
        List<String> out = new ArrayList<>();
        collect(Layer.class, out);
        return out;
    }

    private static void collect(Class<?> c, List<String> out) {
        if (c.isSealed()) {
            for (Class<?> s : c.getPermittedSubclasses()) collect(s, out);
        } else {
            out.add(c.getSimpleName());
        }
    }
}
