package com.unipos.app.cashier

import com.unipos.core.Devices
import com.unipos.core.ffi.Printer
import java.util.concurrent.atomic.AtomicReference

/**
 * Remembers the receipts the core printed last (in memory only: masked card numbers, as the engine
 * rendered them), so the cashier's result screen can preview exactly what came out of the printer.
 */
class ReceiptTap {
    private val last = AtomicReference<List<List<String>>>(emptyList())
    @Volatile private var collecting = false

    /** [devices] with a printer that also records what it printed. */
    fun wrap(devices: Devices): Devices = devices.copy(printer = Tapped(devices.printer))

    /** Starts a new transaction's slips (the previous ones are forgotten). */
    fun begin() { last.set(emptyList()); collecting = true }

    /** The slips printed since [begin] (merchant copy first), or the last ones printed. */
    fun slips(): List<List<String>> = last.get()

    private inner class Tapped(private val inner: Printer) : Printer {
        override fun print(lines: List<String>) {
            inner.print(lines)
            // Only what the printer accepted is "the receipt".
            last.updateAndGet { if (collecting) it + listOf(lines) else listOf(lines) }
        }
    }
}
