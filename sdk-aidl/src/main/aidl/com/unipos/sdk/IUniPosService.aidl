/*
 * The unified acquiring app's bound service for third-party apps on the same terminal.
 * Bind with action UniPos.ACTION_BIND_SERVICE and package UniPos.SERVICE_PACKAGE; the caller needs
 * the permission com.unipos.permission.PAYMENT and must be on the terminal's allow-list.
 *
 * Every call returns at once (no call blocks for a card or the host). Calls are checked against the
 * caller's uid and signing certificate on every call; a rejected caller gets
 * ErrorCodes.CALLER_NOT_ALLOWED. Request ids are scoped to the calling app.
 *
 * COMPATIBILITY: binder transaction codes are positional. Methods are only ever APPENDED at the
 * end, never removed or re-ordered, and parameters never change (checked by aidl --checkapi).
 */
package com.unipos.sdk;

import com.unipos.sdk.IUniPosCallback;
import com.unipos.sdk.StartResult;
import com.unipos.sdk.TransRequest;
import com.unipos.sdk.TransResult;

interface IUniPosService {
    /** The service's contract version (UniPos.CONTRACT_VERSION of the service build). */
    int getContractVersion();

    /**
     * Starts a transaction of any TransType (sale by card / QR / cashier's choice, void, refund,
     * pre-auth family, balance inquiry, settlement, sign-in, reprint). The request id is persisted
     * before any host I/O. Returns at once: accepted (OK) or rejected, with the request id.
     * The outcome arrives through IUniPosCallback.onResult and is always available later through
     * queryByRequestId, even if the caller died in the meantime.
     */
    StartResult startTransaction(in TransRequest request);

    /**
     * The outcome or current state of the caller's transaction with this request id (state
     * NOT_FOUND if this app never used it). After ANY timeout, lost callback, service death or
     * app restart, call this before anything else.
     */
    TransResult queryByRequestId(String requestId);

    /** The caller's most recent transaction (state NOT_FOUND if none). */
    TransResult queryLast();

    /**
     * Asks to cancel the caller's running transaction. Allowed only while the terminal waits for
     * the customer: for a card or payment code (the result will be FAILED/CANCELLED), while a
     * shown code waits to be paid (closed at once: DECLINED/QR_PAYMENT_CLOSED, or APPROVED if
     * paid just before), or
     * while the customer confirms a scanned code (reversed when the wallet allows). Otherwise
     * CANCEL_NOT_ALLOWED (too late: wait for the result), or NOT_FOUND.
     */
    int cancel(String requestId);

    /** Registers a callback for results and progress of this app's transactions (kept in a RemoteCallbackList). */
    void registerCallback(IUniPosCallback callback);

    void unregisterCallback(IUniPosCallback callback);

    /**
     * Since contract 2 (check getContractVersion() >= 2). The caller's newest transaction that
     * carried its own order number orderNo (state NOT_FOUND if none).
     */
    TransResult queryByOrderNo(String orderNo);
}
