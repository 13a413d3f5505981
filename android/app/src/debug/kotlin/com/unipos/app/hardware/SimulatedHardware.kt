package com.unipos.app.hardware

import com.unipos.core.Devices
import com.unipos.core.ffi.CallbackException
import com.unipos.core.ffi.CancelSignal
import com.unipos.core.ffi.CardInput
import com.unipos.core.ffi.CardPrompt
import com.unipos.core.ffi.CardReadResult
import com.unipos.core.ffi.CardReader
import com.unipos.core.ffi.EntryMode
import com.unipos.core.ffi.PinPad
import com.unipos.core.ffi.PinRequest
import com.unipos.core.ffi.PinResult
import com.unipos.core.ffi.Printer
import com.unipos.sdk.PayMethod
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * Devices for the emulator, development and tests: a card "presented" by the cashier screen (or
 * automatically after [autoPresentMs]), a PIN pad that answers with a fixed test PIN (clear:
 * accepted only by the core's software security module), and a printer that keeps the receipts.
 * Test cards are the host simulator's (docs/hostsim.md).
 */
class SimulatedHardware(
    @Volatile var cardPan: String = TEST_CARD,
    @Volatile var pin: String? = TEST_PIN,
    /** -1: wait for [presentCard]; otherwise present [cardPan] after this many ms. */
    @Volatile var autoPresentMs: Long = 1_000,
    @Volatile var payMethodChoice: Int = PayMethod.CARD,
) : VendorHardware, TestCardPresenter {
    override val name = "simulated devices (emulator)"

    override val testCards: TestCardPresenter get() = this

    override fun presentTestCard() = presentCard()

    private val presented = LinkedBlockingQueue<String>()
    val receipts = CopyOnWriteArrayList<List<String>>()
    @Volatile var outOfPaper = false
    /** Until released, a card wait blocks (tests: a payment that is "waiting for the card"). */
    @Volatile var holdCardWait: java.util.concurrent.CountDownLatch? = null

    /** The cashier screen's "present test card" button. */
    fun presentCard(pan: String = cardPan) { presented.offer(pan) }

    private val reader = object : CardReader {
        override fun readCard(prompt: CardPrompt, cancel: CancelSignal): CardReadResult {
            presented.clear()
            holdCardWait?.let { latch ->
                while (!latch.await(20, TimeUnit.MILLISECONDS)) if (cancel.isCancelled()) return CardReadResult.Cancelled
            }
            val start = System.currentTimeMillis()
            while (System.currentTimeMillis() - start < CARD_WAIT_MS) {
                if (cancel.isCancelled()) return CardReadResult.Cancelled
                val auto = autoPresentMs
                val pan = presented.poll(20, TimeUnit.MILLISECONDS)
                    ?: cardPan.takeIf { auto >= 0 && System.currentTimeMillis() - start >= auto }
                if (pan != null) return CardReadResult.Card(
                    CardInput(EntryMode.MAGSTRIPE, pan, TEST_EXPIRY, "${pan}D${TEST_EXPIRY}2010000000000", null),
                )
            }
            throw CallbackException.Timeout("no card presented")
        }
    }

    private val pinPad = object : PinPad {
        override fun readPin(request: PinRequest): PinResult =
            pin?.let { PinResult.ClearPin(it.toByteArray()) } ?: PinResult.Bypassed
    }

    private val printer = object : Printer {
        override fun print(lines: List<String>) {
            if (outOfPaper) throw CallbackException.OutOfPaper("paper roll empty")
            receipts += lines
        }
    }

    override fun devices() = Devices(reader, pinPad, printer)

    /** Until released, a scan waits (tests: "waiting for the payment code"); then the test code is read. */
    @Volatile var holdScan: java.util.concurrent.CountDownLatch? = null
    /** A scanner that cannot be stopped: [cancelScan] does nothing (the interface's default). */
    @Volatile var scanIgnoresCancel = false
    @Volatile private var scanCancelled = false

    override fun scanPaymentCode(timeoutMs: Long): String? {
        scanCancelled = false
        val hold = holdScan ?: return TEST_PAYMENT_CODE
        val until = System.currentTimeMillis() + timeoutMs
        while (!hold.await(20, TimeUnit.MILLISECONDS)) {
            if (scanCancelled || System.currentTimeMillis() >= until) return null
        }
        return TEST_PAYMENT_CODE
    }

    override fun cancelScan() { if (!scanIgnoresCancel) scanCancelled = true }

    override fun choosePayMethod(amountFen: Long): Int? = payMethodChoice

    companion object {
        const val TEST_CARD = "6212345678901232"       // hostsim CREDIT_MAGSTRIPE
        const val TEST_PIN = "123456"
        const val TEST_EXPIRY = "3012"
        const val TEST_PAYMENT_CODE = "134567890123456789"
        const val CARD_WAIT_MS = 60_000L
    }
}
