package com.unipos.sdk;
parcelable TransRequest {
  int version = 1;
  String requestId;
  int transType;
  int payMethod;
  long amount;
  String orderNo;
  String origRequestId;
  String origTraceNo;
  String origReferenceNo;
  String origAuthCode;
  String origDate;
  String origQrOrderNo;
  int printMode;
  String receiptRemark;
  int cardWaitSeconds;
  String paymentCode;
}
