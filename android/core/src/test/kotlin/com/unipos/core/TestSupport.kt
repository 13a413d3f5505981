package com.unipos.core

import com.unipos.core.ffi.CallbackException
import com.unipos.core.ffi.CancelSignal
import com.unipos.core.ffi.CardInput
import com.unipos.core.ffi.CardPrompt
import com.unipos.core.ffi.CardReadResult
import com.unipos.core.ffi.CardReader
import com.unipos.core.ffi.EntryMode
import com.unipos.core.ffi.HostEndpoint
import com.unipos.core.ffi.PinPad
import com.unipos.core.ffi.PinRequest
import com.unipos.core.ffi.PinResult
import com.unipos.core.ffi.PosConfig
import com.unipos.core.ffi.Printer
import java.io.File
import java.net.HttpURLConnection
import java.net.URI
import java.nio.file.Files
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.CopyOnWriteArrayList

/** Values of the host simulator's default configuration (unipos-hostsim `config::defaults`). */
object HostDefaults {
    const val MERCHANT_ID = "301310048990001"
    const val TMK_HEX = "70F2A84CCBC2AE8625CBB0F2C22AB923"
    /** Every default terminal's QR key under [TMK_HEX] (unipos-hostsim `defaults::QR_KEY_UNDER_TMK_HEX`). */
    val QR_KEY = com.unipos.core.ffi.ProvisionedKey(hex("59A4FA02D6BBEFD08ABABB0E18D2D979"), hex("7CC721BA"))
    private fun hex(s: String) = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }
    const val PIN = "123456"
    const val EXPIRY = "3012"
    const val CARD = "6212345678901232"        // credit, magstripe
    const val LOW_BALANCE = "6212345678905001"
    val TERMINALS = listOf("62969002", "62969003", "62969004", "62969005")
}

/**
 * The running `unipos host run` (or the fallback example) started by scripts/test-jvm.sh; its
 * addresses arrive as system properties. Faults are driven through the admin HTTP API.
 */
object HostSim {
    val posp: String = System.getProperty("unipos.posp") ?: error("-Dunipos.posp=host:port missing (run scripts/test-jvm.sh)")
    val admin: String = System.getProperty("unipos.admin") ?: error("-Dunipos.admin=host:port missing")

    fun http(method: String, path: String, body: String? = null): String {
        val c = URI("http://$admin$path").toURL().openConnection() as HttpURLConnection
        c.requestMethod = method
        c.connectTimeout = 5000
        c.readTimeout = 5000
        if (body != null) {
            c.doOutput = true
            c.setRequestProperty("Content-Type", "application/json")
            c.outputStream.use { it.write(body.toByteArray()) }
        }
        val code = c.responseCode
        val text = (if (code < 400) c.inputStream else c.errorStream)?.use { String(it.readBytes()) } ?: ""
        check(code in 200..299) { "admin $method $path -> $code $text" }
        return text
    }

    fun addFault(json: String): String = http("POST", "/admin/faults", json)
    fun clearFaults() { http("DELETE", "/admin/faults") }

    /** Available funds of a card at the host, fen (from GET /admin/cards/{pan}). */
    fun available(pan: String): Long {
        val text = http("GET", "/admin/cards/$pan")
        val m = Regex("\"available\"\\s*:\\s*(\\d+)").find(text) ?: error("no 'available' in $text")
        return m.groupValues[1].toLong()
    }
}

/** A simulated card reader: presents [card] for every wait, unless told otherwise. */
class SimCardReader(var pan: String = HostDefaults.CARD) : CardReader {
    /** What the next waits do; empty = present the card. */
    val script = ConcurrentLinkedQueue<String>()
    val prompts = CopyOnWriteArrayList<CardPrompt>()

    override fun readCard(prompt: CardPrompt, cancel: CancelSignal): CardReadResult {
        prompts += prompt
        when (script.poll()) {
            "throw" -> throw IllegalStateException("reader unplugged")
            "timeout" -> throw CallbackException.Timeout("no card in 30 s")
            "wait" -> {
                val until = System.currentTimeMillis() + 10_000
                while (System.currentTimeMillis() < until) {
                    if (cancel.isCancelled()) return CardReadResult.Cancelled
                    Thread.sleep(5)
                }
                throw CallbackException.Timeout("no card")
            }
        }
        return CardReadResult.Card(
            CardInput(
                entry = EntryMode.MAGSTRIPE,
                pan = pan,
                expiry = HostDefaults.EXPIRY,
                track2 = "${pan}D${HostDefaults.EXPIRY}2010000000000",
                psn = null,
            ),
        )
    }
}

/** A simulated PIN pad: returns the clear PIN (allowed only with the software security module). */
class SimPinPad(var pin: String? = HostDefaults.PIN) : PinPad {
    val requests = CopyOnWriteArrayList<PinRequest>()
    override fun readPin(request: PinRequest): PinResult {
        requests += request
        val p = pin ?: return PinResult.Bypassed
        return PinResult.ClearPin(p.toByteArray())
    }
}

class SimPrinter : Printer {
    @Volatile var outOfPaper = false
    val receipts = CopyOnWriteArrayList<List<String>>()
    override fun print(lines: List<String>) {
        if (outOfPaper) throw CallbackException.OutOfPaper("paper roll empty")
        receipts += lines
    }
}

class Rig(val terminalId: String, responseTimeoutMs: Long = 1500) {
    val dir: File = Files.createTempDirectory("unipos-jvm-$terminalId").toFile()
    val reader = SimCardReader()
    val pinPad = SimPinPad()
    val printer = SimPrinter()
    /** The JVM stand-in for the Android Keystore (a KEK file in the test's folder). */
    val keyWrapper = SoftwareKeyWrapper(File(dir, "test.kek"))
    val config = PosConfig(
        terminalId = terminalId,
        merchantId = HostDefaults.MERCHANT_ID,
        posp = HostEndpoint(HostSim.posp, null, emptyList()),
        merchantName = "UNIPOS TEST MERCHANT",
        responseTimeoutMs = responseTimeoutMs,
        connectTimeoutMs = 2000,
        softwareTmkHex = HostDefaults.TMK_HEX,
        qrKey = HostDefaults.QR_KEY,
    )

    fun open(): PosCore = PosCore.open(config, File(dir, "journal.db").path, Devices(reader, pinPad, printer), keyWrapper).getOrThrow()
}

fun <T> PosResult<T>.ok(): T = when (this) {
    is PosResult.Success -> value
    is PosResult.Failure -> throw AssertionError("expected success, got $code $message", cause)
}

fun <T> PosResult<T>.failure(): PosResult.Failure = when (this) {
    is PosResult.Success -> throw AssertionError("expected a failure, got $value")
    is PosResult.Failure -> this
}
