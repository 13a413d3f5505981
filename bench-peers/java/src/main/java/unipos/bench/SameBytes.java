package unipos.bench;

import java.util.Arrays;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOUtil;

/** Exits 2, loudly, unless jPOS packs exactly our bytes and unpacks them to the same fields. */
public final class SameBytes {
    public static void main(String[] args) throws Exception {
        byte[] ours = ISOUtil.hex2byte(args[0]);
        CupPackager p = new CupPackager();
        byte[] packed = Sale.build(p).pack();
        if (!Arrays.equals(packed, ours)) {
            System.err.println("!!! MISMATCH: jPOS packs different bytes than unipos");
            System.err.println("!!! jPOS:   " + ISOUtil.hexString(packed));
            System.err.println("!!! unipos: " + ISOUtil.hexString(ours));
            System.exit(2);
        }
        ISOMsg u = new ISOMsg();
        u.setPackager(p);
        u.unpack(ours);
        for (Object[] f : Sale.TEXT) {
            String got = u.getString((Integer) f[0]);
            if (!((String) f[1]).equals(got)) {
                System.err.println("!!! MISMATCH on unpack, field " + f[0] + ": " + got + " != " + f[1]);
                System.exit(2);
            }
        }
        System.out.println("jPOS " + org.jpos.q2.Q2.getVersion() + ": packed bytes identical to unipos ("
                + ours.length + " bytes), unpack gives the same fields");
    }

    private SameBytes() {}
}
