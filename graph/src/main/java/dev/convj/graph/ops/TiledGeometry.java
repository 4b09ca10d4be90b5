package dev.convj.graph.ops;

import dev.convj.graph.Node;
import dev.convj.graph.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * A convolution's geometry plus the number of kernel sets cycled along each spatial axis: output position p uses
 * the kernels of tile p mod t (per axis). Weights are [O, *tiles, C/groups, *kernel]; tiles of 1 give an ordinary
 * convolution and tiles equal to the output size a locally connected (unshared) layer.
 */
public record TiledGeometry(ConvGeometry conv, List<Integer> tiles) {

    public TiledGeometry {
        tiles = Checks.positive(tiles, "tile size");
        if (tiles.size() != conv.spatialRank()) {
            throw new IllegalArgumentException("tile sizes " + tiles + " must name " + conv.spatialRank()
                    + " spatial axes");
        }
    }

    public int spatialRank() {
        return conv.spatialRank();
    }

    /** Checks that the tiles divide the output extents {@code out}. */
    public void checkTiles(List<Integer> out) {
        for (int i = 0; i < tiles.size(); i++) {
            if (out.get(i) % tiles.get(i) != 0) {
                throw new IllegalArgumentException("tile size " + ConvGeometry.dims(tiles) + " does not divide the "
                        + "output " + ConvGeometry.dims(out) + " (axis " + i + ": " + out.get(i) + " is not a multiple of "
                        + tiles.get(i) + "); choose a tile size that divides every output extent");
            }
        }
    }

    /** The weight shape [O, *tiles, C/groups, *kernel]. */
    public Shape weightShape(int outChannels, int channelsPerGroup, List<Integer> kernel) {
        List<Integer> d = new ArrayList<>();
        d.add(outChannels);
        d.addAll(tiles);
        d.add(channelsPerGroup);
        d.addAll(kernel);
        return new Shape(d);
    }

    /** Checks a weight's rank and tiles and returns its kernel extents. */
    List<Integer> kernelOf(Node w) {
        int r = spatialRank();
        Checks.rank(w, 2 * r + 2, "weight", "O,tiles×" + r + ",C/groups,kernel×" + r);
        if (!w.shape().dims().subList(1, r + 1).equals(tiles)) {
            throw new IllegalArgumentException("weight " + w.name() + " " + w.typeString() + " holds tiles "
                    + w.shape().dims().subList(1, r + 1) + " but the op cycles " + tiles);
        }
        return w.shape().tail(r + 2);
    }

    int channelsPerGroup(Node w) {
        return w.shape().dim(spatialRank() + 1);
    }

    /** The bias shape [O, *tiles]: one bias per filter and tile, so that a locally connected layer has one per position. */
    public Shape biasShape(int outChannels) {
        return Shape.concat(List.of(outChannels), tiles);
    }

    String kind(String suffix) {
        return "tiled_conv" + spatialRank() + "d" + suffix;
    }

    public String attributes() {
        return conv.attributes() + " tiles=" + ConvGeometry.list(tiles);
    }
}
