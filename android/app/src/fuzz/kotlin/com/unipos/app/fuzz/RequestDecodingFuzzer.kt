package com.unipos.app.fuzz

import android.content.Intent
import android.os.Bundle
import com.code_intelligence.jazzer.api.FuzzedDataProvider
import com.unipos.app.hardware.SimulatedHardware
import com.unipos.app.txn.CoreCommand
import com.unipos.app.txn.RequestMapper
import com.unipos.app.txn.RequestRejected
import com.unipos.app.txn.ScopedRequests
import com.unipos.core.Devices
import com.unipos.core.PosCore
import com.unipos.core.SoftwareKeyWrapper
import com.unipos.core.ffi.CallerScope
import com.unipos.core.ffi.CallerSession
import com.unipos.core.ffi.HostEndpoint
import com.unipos.core.ffi.PosConfig
import com.unipos.core.ffi.PosException
import com.unipos.core.ffi.errorCode
import com.unipos.core.ffi.defaultCapabilities
import com.unipos.sdk.ErrorCodes
import com.unipos.sdk.Extras
import com.unipos.sdk.RequestValidator
import com.unipos.sdk.TransRequest
import com.unipos.sdk.UniPosIntents
import java.io.File
import java.nio.file.Files

/**
 * Jazzer target (scripts/fuzz-jvm.sh): what a third-party app hands in, decoded the way the app
 * decodes it, down to the engine's request in the Rust core.
 *
 *  - the pay Intent: arbitrary extras of every plain type a Bundle can carry (numbers of every
 *    width, strings, booleans, chars, arrays, nested Bundles, nulls) under the contract's keys and
 *    others, through the real Intent/Bundle and UniPosIntents.requestFromIntent;
 *  - the AIDL TransRequest: every value its generated readFromParcel can yield (any int and long,
 *    any or no string, including non-ASCII and control characters), set field by field
 *    (android.os.Parcel itself is native code outside Robolectric, see docs/performance.md);
 *
 * then RequestValidator.check, RequestMapper.map (originals looked up in the caller's scope of a
 * real journal) and ScopedRequests, and finally CallerSession.known in the real libunipos (the
 * Rust conversion, checks and fingerprint, and a journal read).
 *
 * Properties: nothing throws but a RequestRejected or a PosException with a documented code; and a
 * request the SDK's validator accepts is never refused by the core as malformed (1001 / 1009):
 * the client library and the engine agree on what a well-formed request is.
 */
object RequestDecodingFuzzer {
    /** Held for the whole run: a session holds its terminal weakly. */
    private lateinit var core: PosCore
    private lateinit var session: CallerSession
    private val keys = arrayOf(
        Extras.VERSION, Extras.REQUEST_ID, Extras.TRANS_TYPE, Extras.PAY_METHOD, Extras.AMOUNT, Extras.ORDER_NO,
        Extras.ORIG_REQUEST_ID, Extras.ORIG_TRACE_NO, Extras.ORIG_REFERENCE_NO, Extras.ORIG_AUTH_CODE,
        Extras.ORIG_DATE, Extras.ORIG_QR_ORDER_NO, Extras.PRINT_MODE, Extras.RECEIPT_REMARK,
        Extras.CARD_WAIT_SECONDS, Extras.PAYMENT_CODE, "unknownKey",
    )

    @JvmStatic
    fun fuzzerInitialize() {
        val dir = Files.createTempDirectory("unipos-fuzz").toFile()
        val config = PosConfig(
            terminalId = "62969002", merchantId = "301310048990001",
            posp = HostEndpoint("127.0.0.1:9", null, emptyList()),
            merchantName = "FUZZ", operator = "001", qrGateway = null, profileJson = null,
            connectTimeoutMs = null, responseTimeoutMs = null, reversalRetries = null, macScheme = null,
            autoSettlement = null, receiptWidth = 32, softwareTmkHex = "0123456789ABCDEFFEDCBA9876543210",
        )
        val sim = SimulatedHardware(autoPresentMs = 0)
        core = PosCore.open(config, File(dir, "journal.db").path, sim.devices(), SoftwareKeyWrapper(File(dir, "k.kek")))
            .getOrThrow()
        session = core.forCaller(CallerScope("com.example.fuzzed", defaultCapabilities())).getOrThrow()
    }

    @JvmStatic
    fun fuzzerTestOneInput(data: FuzzedDataProvider) {
        val request = if (data.consumeBoolean()) fromIntent(data) else fromParcelValues(data)
        drive(request)
    }

    private fun drive(request: TransRequest) {
        val check = RequestValidator.check(request)
        if (!check.ok) {
            require(check.errorCode in ErrorCodes.ALL) { "undocumented code ${check.errorCode}" }
            return
        }
        val command: CoreCommand = try {
            RequestMapper { id -> session.query(id) }.map(request)
        } catch (e: RequestRejected) {
            require(e.code in ErrorCodes.ALL) { "undocumented code ${e.code}" }
            return
        }
        val forms = if (command is CoreCommand.Sale) ScopedRequests.saleForms(command, request.orderNo)
            else listOfNotNull(ScopedRequests.of(command))
        for (form in forms) {
            try {
                session.known(form)
            } catch (e: PosException) {
                val code = errorCode(e)
                require(code in ErrorCodes.ALL) { "undocumented code $code" }
                check(code != ErrorCodes.INVALID_REQUEST && code != ErrorCodes.INVALID_AMOUNT) {
                    "the SDK's validator accepted what the core refuses ($code ${e.message}): $form"
                }
            }
        }
    }

    /** The pay Intent's extras, as a hand-written caller (Flutter, React Native, uni-app) may put them. */
    private fun fromIntent(data: FuzzedDataProvider): TransRequest {
        val extras = Bundle()
        repeat(data.consumeInt(0, 24)) {
            val key = if (data.consumeBoolean()) keys[data.consumeInt(0, keys.size - 1)] else data.consumeString(12)
            putAny(extras, key, data, depth = 0)
        }
        return UniPosIntents.requestFromIntent(Intent("com.unipos.action.PAY").putExtras(extras))
    }

    private fun putAny(b: Bundle, key: String, data: FuzzedDataProvider, depth: Int) {
        when (data.consumeInt(0, 14)) {
            0 -> b.putInt(key, data.consumeInt())
            1 -> b.putLong(key, data.consumeLong())
            2 -> b.putString(key, data.consumeString(80))
            3 -> b.putDouble(key, data.consumeDouble())
            4 -> b.putFloat(key, data.consumeFloat())
            5 -> b.putBoolean(key, data.consumeBoolean())
            6 -> b.putShort(key, data.consumeShort())
            7 -> b.putByte(key, data.consumeByte())
            8 -> b.putChar(key, data.consumeChar())
            9 -> b.putString(key, null)
            10 -> b.putIntArray(key, data.consumeInts(4))
            11 -> b.putStringArray(key, arrayOf(data.consumeString(20)))
            12 -> b.putByteArray(key, data.consumeBytes(16))
            13 -> if (depth < 2) b.putBundle(key, Bundle().also { putAny(it, data.consumeString(8), data, depth + 1) })
            else -> b.putString(key, digits(data))
        }
    }

    private fun digits(data: FuzzedDataProvider): String =
        data.consumeString(20).map { '0' + (it.code % 10) }.joinToString("")

    /** What TransRequest.CREATOR.createFromParcel can produce: any value in every field. */
    private fun fromParcelValues(data: FuzzedDataProvider): TransRequest = TransRequest().apply {
        version = data.consumeInt()
        requestId = str(data)
        transType = if (data.consumeBoolean()) data.consumeInt(0, 12) else data.consumeInt()
        payMethod = if (data.consumeBoolean()) data.consumeInt(0, 4) else data.consumeInt()
        amount = if (data.consumeBoolean()) data.consumeLong(0, 1_000_000_000_000) else data.consumeLong()
        orderNo = str(data)
        origRequestId = str(data)
        origTraceNo = if (data.consumeBoolean()) digits(data).take(6) else str(data)
        origReferenceNo = str(data)
        origAuthCode = str(data)
        origDate = if (data.consumeBoolean()) digits(data).take(4) else str(data)
        origQrOrderNo = str(data)
        printMode = if (data.consumeBoolean()) data.consumeInt(0, 5) else data.consumeInt()
        receiptRemark = str(data)
        cardWaitSeconds = data.consumeInt()
        paymentCode = if (data.consumeBoolean()) digits(data) else str(data)
    }

    private fun str(data: FuzzedDataProvider): String? = when (data.consumeInt(0, 3)) {
        0 -> null
        1 -> data.consumeString(70)
        2 -> data.consumeAsciiString(70)
        else -> "id-" + data.consumeInt(0, 50)
    }
}
