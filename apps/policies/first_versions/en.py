# ruff: noqa: E501 - prose: a paragraph is one line, as staff write it in the admin
"""The first published versions of the documents, in English (seeded by migration 0002).

Frozen: later versions are new rows written by staff in the admin, never edits of this file.
"""

TERMS_TITLE = "Terms of service"
TERMS = """## 1. Purpose
These terms set out how you may use MatchMinds (the "service"), the dating service for university students run by MatchMinds Inc. (the "company"), and the rights and duties of the company and its members.

## 2. Who may join
- The service is for university students (enrolled or on leave) aged 19 or older.
- You may hold one account, in your own name. Some events ask for a mobile identity check, and one person can verify only one account.
- You must confirm the e-mail address you signed up with before you can be matched.

## 3. What the service offers
Online meeting events across universities, one-to-one matching, rotation rounds, chat, and report and block tools. Each event's page states its schedule and who may take part.

## 4. Zero tolerance for objectionable content and abusive users
We do not tolerate objectionable or dangerous content, or members who abuse others. The following are forbidden; when we find them we may remove the content and suspend or permanently ban the account without prior warning:
- sexual content, sexual harassment, unwanted sexual messages or photos
- insults, hate speech, discrimination, threats, stalking, bullying
- impersonation, fake profiles, lying about your age or university
- asking for money, scams, advertising, recruiting for pyramid schemes, religion or politics
- any sexual content involving minors
- sharing another member's personal data, messages or photos without their consent
You can report and block any member or content at any time. We review every report within 24 hours and act on it.

## 5. Your duties
- Give accurate information and never hand over or lend your account.
- Follow the community rules and the safety tips.
- Meeting in person is your own decision and responsibility; we give advice on meeting safely.

## 6. Sanctions and appeals
A member who breaks these terms or the community rules may receive a warning, a suspension for a set time, or a permanent ban. We tell you which rule was broken and how to appeal; you may appeal within 30 days of the notice.

## 7. Deleting your account
You can delete your account at any time on the settings page. Your personal data is then handled as the privacy policy says.

## 8. Changes to these terms
We announce changes in the service 7 days before they take effect (30 days for changes to your disadvantage). You must accept the new terms to keep using matching and chat.

## 9. Liability and disputes
The company is not liable for disputes between members arising from their meetings unless it acted intentionally or with gross negligence. These terms are governed by the laws of the Republic of Korea; the competent court follows the Civil Procedure Act."""

PRIVACY_TITLE = "Privacy policy"
PRIVACY = """MatchMinds Inc. (the "company") protects its members' personal data under the Personal Information Protection Act of Korea and handles complaints about it promptly, as set out below.

## 1. Why we process personal data
- Sign-up, identity checks, age checks (19 or older) and keeping one account per person
- University verification and checking who may join an event
- Matching, rotation rounds and chat
- Handling reports, preventing abuse, sanctions and appeals
- Service messages (e-mail confirmation, matches, events, notices about sanctions)

## 2. What we collect
- Required: e-mail address, password (stored hashed), nickname, gender, birth date, university, region, who you would like to meet
- Optional: interests, bio, profile photo, university e-mail address
- Identity check: the name, birth date, gender and connecting information (CI) the identity provider sends. We never keep the CI itself, only a keyed hash that cannot be turned back.
- Collected automatically: IP address, access times, records of your acceptance of these documents (version, time, IP address), chat messages, report records

## 3. How long we keep it
- Account data: until you delete your account; then it is destroyed without delay.
- Report evidence (copies of the reported conversation and profile): 180 days after the report is handled, or until a dispute or investigation ends.
- Sanction records and the identity hash: 1 year after deletion, so that a banned person cannot simply sign up again
- Records of acceptance (version, time, IP address): until you delete your account
- Access logs: 3 months, as the Protection of Communications Secrets Act requires

## 4. Processors and transfers abroad
We entrust the following companies with processing on our behalf:
- Amazon Web Services, Inc.: servers and storage (Seoul region), sending e-mail, automatic photo screening
- Microsoft Corporation: automatic photo and content screening (when switched on)
- Mobile identity providers (NICE, the PASS carriers): identity checks
Each is bound by a contract with data protection duties and supervised by us. Photo screening may process photos on servers outside Korea.

## 5. Sharing with third parties
We share no personal data with third parties without your consent unless the law specifically requires it. Other members see only your nickname, university, region, interests, bio, approved photo and an age band; never your e-mail address, birth date or exact age.

## 6. Your rights and how to use them
You may see, correct, delete and stop the processing of your personal data at any time:
- See and download: "Download my data" on the safety settings page
- Correct: the profile page
- Delete: "Delete account" on the safety settings page
- Anything else: e-mail the privacy officer below; we answer within 10 days.

## 7. How we keep it safe
Passwords and identity data are stored so they cannot be recovered, traffic is encrypted, access is kept to the minimum and logged.

## 8. Privacy officer
- Privacy officer: Kim Jihyun (head of data protection)
- E-mail: privacy@matchminds.kr
- Hours: weekdays 10:00–18:00 KST; we answer within 10 days of your request.
You may also contact the Personal Information Infringement Report Center (privacy.kisa.or.kr, call 118) or the Personal Information Dispute Mediation Committee (www.kopico.go.kr, 1833-6972)."""

COMMUNITY_TITLE = "Community rules"
COMMUNITY = """MatchMinds is a place for university students who respect each other. Breaking these rules can lead to a warning, a suspension or a permanent ban.

## Be respectful
- No insults, put-downs, hate speech or comments on someone's looks.
- If someone does not want to talk, stop. Respecting a no is part of respect.

## Be honest
- Post only your own photos and details. Do not lie about your age or university.
- One person, one account.

## Keep conversations safe
- Never send unwanted sexual messages or photos.
- Do not ask for or send phone numbers, bank details or addresses right away.
- Do not ask for money or promote investments, ads, religion or pyramid schemes.

## Conversations are private
- Do not share screenshots of someone's messages or photos without their consent.

## When something goes wrong
Block and report anyone who makes you uncomfortable. Reports are handled anonymously and we tell you when yours has been handled."""

SAFETY_TITLE = "Meeting safely"
SAFETY = """When a match from the app becomes a meeting in person, please follow these tips.

## Before you meet
- Talk enough before meeting. Be careful with someone who rushes you.
- A video call shows whether they are the person in the photos.
- Share personal details such as your phone number, address or student number slowly.

## The first meeting
- Meet in daytime in a busy public place, such as a café near campus.
- Tell a friend whom you are meeting, when and where.
- Arrange your own transport; do not get into their car.
- Watch your drink being made and do not drink one you left alone.
- You may leave at any moment if you feel uncomfortable.

## If you are in danger
- In an emergency call 112 (police) or 119 (ambulance).
- The Women's Emergency Hotline 1366 and the Digital Sex Crime Victim Support Center (02-735-8994) can help.
- Report the member in the app; our team looks at it within 24 hours."""

CONTACT_TITLE = "Contact us"
CONTACT = """Questions or problems? Tell us any time.

## Help desk
- E-mail: help@matchminds.kr
- Hours: weekdays 10:00–18:00 KST (closed on weekends and public holidays). We read e-mail around the clock and answer within one working day.

## Reports and safety
If something dangerous or unpleasant happened, press "Report" in the chat. Our team looks at it within 24 hours. In immediate danger, call 112 first.

## Personal data
Send requests about your personal data to the privacy officer (privacy@matchminds.kr).

## Company
MatchMinds Inc. · CEO Park Seojun · Room 301, Startup Incubation Center, 1 Gwanak-ro, Gwanak-gu, Seoul"""
