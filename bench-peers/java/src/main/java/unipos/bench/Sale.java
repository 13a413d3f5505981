package unipos.bench;

import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOUtil;

/** The 0200 sale of rust-core/iso8583/benches/codec.rs. */
public final class Sale {
    static final String FIELD_55 = "9F2608BBFD1BFACF6A64299F2701809F100807000103A0A002019F3704989636539F36020334950500800088009A031603099C01319F02060000000000005F2A02015682023C009F1A0201569F03060000000000009F3303E0E1C89F34031E03009F3501229F1E083132333435363738";

    static final Object[][] TEXT = {
        {2, "6212260200024125573"}, {3, "000000"}, {4, "000000073700"}, {11, "002332"},
        {14, "2302"}, {22, "051"}, {23, "001"}, {25, "00"}, {26, "12"},
        {35, "6212260200024125573=23022201234567890"}, {41, "00006590"},
        {42, "713100058120611"}, {49, "156"}, {53, "2600000000000000"},
        {60, "22000065000501"}, {63, "001"},
    };
    static final byte[] F52 = ISOUtil.hex2byte("123456789ABCDEF0");
    static final byte[] F55 = ISOUtil.hex2byte(FIELD_55);
    static final byte[] F64 = "00000000".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    static ISOMsg build(CupPackager packager) throws ISOException {
        ISOMsg m = new ISOMsg("0200");
        m.setPackager(packager);
        for (Object[] f : TEXT) {
            m.set((Integer) f[0], (String) f[1]);
        }
        m.set(52, F52);
        m.set(55, F55);
        m.set(64, F64);
        return m;
    }

    private Sale() {}
}
