package io.jkeras.cli;
public class Main { public static void main(String[] a) {} }
