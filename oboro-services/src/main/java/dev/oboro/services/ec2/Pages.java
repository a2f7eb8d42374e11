package dev.oboro.services.ec2;

/** Page-size checks EC2 makes itself where the model carries no bounds. */
final class Pages {
    private Pages() {
    }

    static void checkMaxResults(Integer maxResults, int min, int max) {
        if (maxResults == null) return;
        if (maxResults < min || maxResults > max) {
            throw Ec2Errors.invalidParameterValue("Value ( " + maxResults + " ) for parameter maxResults is invalid. Expecting a value between "
                    + min + " and " + max + ".");
        }
    }
}
