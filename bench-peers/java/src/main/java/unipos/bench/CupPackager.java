package unipos.bench;

import org.jpos.iso.*;

/**
 * The fields of the UnionPay profile (rust-core/iso8583/src/cup/profile.rs) that the 0200
 * sale uses, in jPOS field packagers. IFB_* = packed BCD (numeric) or raw bytes with a BCD
 * length prefix; {@code pad=false} = left aligned (pad nibble 0 on the right).
 */
public class CupPackager extends ISOBasePackager {
    public CupPackager() {
        ISOFieldPackager[] f = new ISOFieldPackager[65];
        f[0] = new IFB_NUMERIC(4, "MTI", true);
        f[1] = new IFB_BITMAP(16, "BITMAP");
        f[2] = new IFB_LLNUM(19, "PAN", false);
        f[3] = new IFB_NUMERIC(6, "PROCESSING CODE", true);
        f[4] = new IFB_NUMERIC(12, "AMOUNT", true);
        f[11] = new IFB_NUMERIC(6, "TRACE", true);
        f[14] = new IFB_NUMERIC(4, "EXPIRY", true);
        f[22] = new IFB_NUMERIC(3, "POS ENTRY MODE", false);
        f[23] = new IFB_NUMERIC(3, "CARD SEQUENCE NUMBER", true);
        f[25] = new IFB_NUMERIC(2, "POS CONDITION CODE", true);
        f[26] = new IFB_NUMERIC(2, "PIN CAPTURE CODE", true);
        // jPOS writes the track-2 separator as '=' (nibble D), as its ISO87BPackager does.
        f[35] = new IFB_LLNUM(37, "TRACK 2", false);
        f[41] = new IF_CHAR(8, "TERMINAL ID");
        f[42] = new IF_CHAR(15, "MERCHANT ID");
        f[49] = new IF_CHAR(3, "CURRENCY");
        f[52] = new IFB_BINARY(8, "PIN BLOCK");
        f[53] = new IFB_NUMERIC(16, "SECURITY CONTROL", true);
        f[55] = new IFB_LLLBINARY(999, "ICC DATA");
        f[60] = new IFB_LLLNUM(999, "RESERVED PRIVATE 60", false);
        f[63] = new IFB_LLLCHAR(999, "RESERVED PRIVATE 63");
        f[64] = new IFB_BINARY(8, "MAC");
        setFieldPackager(f);
    }
}
