"""FPX retail (B2C) banks: ids and display names. Their online status comes from the gateway's bank list."""

BANKS = [
    ("ABB0233", "Affin Bank", "Affin Bank Berhad"),
    ("ABMB0212", "Alliance Bank (Personal)", "Alliance Bank Malaysia Berhad"),
    ("AGRO01", "AGRONet", "Bank Pertanian Malaysia Berhad (Agrobank)"),
    ("AMBB0209", "AmBank", "AmBank Malaysia Berhad"),
    ("BIMB0340", "Bank Islam", "Bank Islam Malaysia Berhad"),
    ("BMMB0341", "Bank Muamalat", "Bank Muamalat Malaysia Berhad"),
    ("BKRM0602", "Bank Rakyat", "Bank Kerjasama Rakyat Malaysia Berhad"),
    ("BOCM01", "Bank Of China", "Bank of China (M) Berhad"),
    ("BSN0601", "BSN", "Bank Simpanan Nasional"),
    ("BCBB0235", "CIMB Clicks", "CIMB Bank Berhad"),
    ("HLB0224", "Hong Leong Bank", "Hong Leong Bank Berhad"),
    ("HSBC0223", "HSBC Bank", "HSBC Bank Malaysia Berhad"),
    ("KFH0346", "KFH", "Kuwait Finance House (Malaysia) Berhad"),
    ("MB2U0227", "Maybank2U", "Malayan Banking Berhad (M2U)"),
    ("MBB0228", "Maybank2E", "Malayan Banking Berhad (M2E)"),
    ("OCBC0229", "OCBC Bank", "OCBC Bank Malaysia Berhad"),
    ("PBB0233", "Public Bank", "Public Bank Berhad"),
    ("RHB0218", "RHB Bank", "RHB Bank Berhad"),
    ("SCB0216", "Standard Chartered", "Standard Chartered Bank"),
    ("UOB0226", "UOB Bank", "United Overseas Bank"),
]


def load(apps) -> None:
    Bank = apps.get_model("payments", "Bank")
    for fpx_id, name, legal_name in BANKS:
        Bank.objects.get_or_create(fpx_id=fpx_id, defaults={"name": name, "legal_name": legal_name})
