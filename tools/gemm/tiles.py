# Writes the register tiles of kernels/GemmVector.java: one method per (rows, vectors) tile, so that
# every accumulator is a local variable the JIT keeps in a vector register. Run by generate.sh.
#   python3 tiles.py MR NV
import sys
MR=int(sys.argv[1]); NV=int(sys.argv[2]); IV=len(sys.argv)>3 and sys.argv[3]=="iv"
out=[]
def kern(r, nv):
    name=f"k{r}x{nv}"
    L=[]
    L.append(f"    private static void {name}(int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {{")
    accs=[f"c{i}{v}" for i in range(r) for v in range(nv)]
    L.append("        FloatVector " + ", ".join(accs) + ";")
    L.append("        if (load) {")
    for i in range(r):
        row = "c0" if i==0 else f"c0 + {i} * ldc"
        for v in range(nv):
            off = row if v==0 else f"{row} + {v} * L"
            L.append(f"            c{i}{v} = FloatVector.fromArray(S, c, {off});")
    L.append("        } else {")
    L.append("            " + " ".join(f"{a} = FloatVector.zero(S);" for a in accs))
    L.append("        }")
    if IV:
        L.append(f"        for (int p = 0, ao = 0, bo = pb0; p < kc; p++, ao += {r}, bo += bs) {{")
    else:
        L.append(f"        for (int p = 0; p < kc; p++) {{")
        L.append(f"            int ao = a0 + p * aks, bo = pb0 + p * bs;")
    for v in range(nv):
        off = "bo" if v==0 else f"bo + {v} * L"
        L.append(f"            FloatVector b{v} = FloatVector.fromArray(S, pb, {off});")
    for i in range(r):
        a = "ao" if i==0 else f"ao + {i} * ars"
        L.append(f"            FloatVector x{i} = FloatVector.broadcast(S, a[{a}]);")
        for v in range(nv):
            L.append(f"            c{i}{v} = b{v}.fma(x{i}, c{i}{v});")
    L.append("        }")
    for i in range(r):
        row = "c0" if i==0 else f"c0 + {i} * ldc"
        for v in range(nv):
            off = row if v==0 else f"{row} + {v} * L"
            L.append(f"        c{i}{v}.intoArray(c, {off});")
    L.append("    }")
    return "\n".join(L)
sw=[]
def switch(nv):
    s=[f"    private static void kernel{nv}(int r, int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {{",
       "        switch (r) {"]
    for r in range(1,MR+1):
        s.append(f"            case {r} -> k{r}x{nv}(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);")
    s.append("            default -> throw new IllegalArgumentException(\"rows \" + r);")
    s.append("        }")
    s.append("    }")
    return "\n".join(s)
parts=[switch(NV)]
if NV!=1: parts.append(switch(1))
for r in range(1,MR+1):
    parts.append(kern(r,NV))
    if NV!=1: parts.append(kern(r,1))
WIDE=2*NV
parts.append(f"""    /** Tiles of one or two rows × {WIDE} vectors: more independent accumulators for products with very few rows. */
    private static void kernelWide(int r, int kc, float[] a, int a0, int ars, int aks, float[] pb, int pb0, int bs, float[] c, int c0, int ldc, boolean load) {{
        if (r == 1) k1x{WIDE}(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
        else k2x{WIDE}(kc, a, a0, ars, aks, pb, pb0, bs, c, c0, ldc, load);
    }}""")
parts.append(kern(1,WIDE)); parts.append(kern(2,WIDE))
print("\n\n".join(parts))
