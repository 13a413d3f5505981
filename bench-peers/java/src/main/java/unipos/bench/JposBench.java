package unipos.bench;

import java.util.concurrent.TimeUnit;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOUtil;
import org.openjdk.jmh.annotations.*;

/**
 * JMH: pack a built 0200 sale, build-and-pack, and unpack our bytes. The wire bytes come from
 * the system property {@code unipos.sale.hex} (scripts/bench/peers.sh passes our packed sale).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JposBench {
    CupPackager packager;
    ISOMsg built;
    byte[] wire;

    @Setup
    public void setup() throws ISOException {
        packager = new CupPackager();
        built = Sale.build(packager);
        wire = ISOUtil.hex2byte(System.getProperty("unipos.sale.hex"));
    }

    @Benchmark
    public byte[] packOnly() throws ISOException {
        return built.pack();
    }

    @Benchmark
    public byte[] buildAndPack() throws ISOException {
        return Sale.build(packager).pack();
    }

    @Benchmark
    public ISOMsg unpack() throws ISOException {
        ISOMsg m = new ISOMsg();
        m.setPackager(packager);
        m.unpack(wire);
        return m;
    }
}
